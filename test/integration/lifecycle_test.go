//go:build integration

package integration

// The proof of the RFC 2131 client lifecycle (issue 3) against dnsmasq and
// Kea: keeping a lease (renew, rebind), losing it (expiry, NAK) here;
// binding-time behaviour (DECLINE, Rapid Commit, routes, MTU, INFORM) in
// lifecycle_bind_test.go. Each test builds its own lab and runs in
// parallel; leases are short and T1/T2 small so that the whole set takes
// well under a minute of wall time per test.

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

const (
	// timerLease is the lease of the renew and rebind tests: dnsmasq's
	// minimum, and long enough that the agent arms T1 and T2 (it gives a
	// lease under 60 s only its expiry timer).
	timerLease = 2 * time.Minute
	// lifeT1 and lifeT2 are sent as options 58 and 59.
	lifeT1 = 4 * time.Second
	lifeT2 = 7 * time.Second
)

var (
	serverPort = netip.AddrPortFrom(netip.MustParseAddr(router), 67)
	bcastPort  = netip.MustParseAddrPort("255.255.255.255:67")
)

// fullStatus is `agentctl status -o json` with every field of the contract.
type fullStatus struct {
	status
	Flags     []string   `json:"flags"`
	T1        *time.Time `json:"t1"`
	T2        *time.Time `json:"t2"`
	BadOffers uint64     `json:"bad_offers"`
	Declined  uint64     `json:"declined"`
}

// addr is the leased address; invalid when there is none.
func (s fullStatus) addr() netip.Addr {
	a, _ := netip.ParseAddr(s.Address)
	return a
}

// startBound runs `agentctl start eth-cli --wait SECS` and requires BOUND.
func startBound(t *testing.T, lab *Lab, wait string) fullStatus {
	t.Helper()
	var st fullStatus
	if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", wait); err != nil {
		t.Fatalf("start: %v", err)
	}
	if st.State != "BOUND" || !st.addr().IsValid() || st.Began == nil || st.Expires == nil {
		t.Fatalf("start answered %+v, want BOUND with an address, began and expires", st)
	}
	return st
}

// waitStatus polls `agentctl status eth-cli` until ok accepts it.
func waitStatus(t *testing.T, lab *Lab, timeout time.Duration, what string, ok func(fullStatus) error) fullStatus {
	t.Helper()
	var st fullStatus
	waitUntil(t, timeout, what, func() error {
		st = fullStatus{}
		if err := lab.CtlJSON(&st, "status", ClientIface); err != nil {
			return err
		}
		if err := ok(st); err != nil {
			return fmt.Errorf("%w (status %+v)", err, st)
		}
		return nil
	})
	return st
}

// waitEvent waits until the agent has logged one of events.
func waitEvent(t *testing.T, lab *Lab, timeout time.Duration, events ...string) {
	t.Helper()
	waitUntil(t, timeout, fmt.Sprintf("event %v in the agent's log", events), func() error {
		got := lab.AgentEvents()
		for _, e := range events {
			if slices.Contains(got, e) {
				return nil
			}
		}
		return fmt.Errorf("events so far: %v", got)
	})
}

// checkNear fails unless got is within slack of want.
func checkNear(t *testing.T, what string, got, want time.Time, slack time.Duration) {
	t.Helper()
	if d := got.Sub(want); d < -slack || d > slack {
		t.Errorf("%s at %v, want %v (+-%v): off by %v", what, got.Format(time.StampMilli), want.Format(time.StampMilli), slack, d)
	}
}

// checkTimers checks t1 and t2 of a fresh lease against options 58 and 59.
func checkTimers(t *testing.T, st fullStatus) {
	t.Helper()
	if st.T1 == nil || st.T2 == nil {
		t.Fatalf("status t1 %v t2 %v, want both set", st.T1, st.T2)
	}
	checkNear(t, "t1", *st.T1, st.Began.Add(lifeT1), time.Second)
	checkNear(t, "t2", *st.T2, st.Began.Add(lifeT2), time.Second)
}

// checkRenewRequest checks what RENEWING and REBINDING share: a REQUEST
// from the leased address, port 68, with ciaddr and without options 50
// and 54 (RFC 2131 table 5).
func checkRenewRequest(t *testing.T, p Packet, addr netip.Addr) {
	t.Helper()
	if p.Src != netip.AddrPortFrom(addr, 68) || p.ClientIP != addr || p.Has(50) || p.Has(54) {
		t.Errorf("REQUEST from %v ciaddr %v options 50 %q 54 %q; want from %v:68, ciaddr %v, no 50 or 54:\n%s",
			p.Src, p.ClientIP, p.Options[50], p.Options[54], addr, addr, p.Text())
	}
}

// checkExtended waits for the lease to be BOUND again on addr, with an
// expiry at least moved past old+by, and for the server's record and the
// kernel's lifetimes to follow.
func checkExtended(t *testing.T, lab *Lab, old fullStatus, by time.Duration, server ServerLease) {
	t.Helper()
	st := waitStatus(t, lab, 3*time.Second, "BOUND with a later expiry", func(s fullStatus) error {
		if s.State != "BOUND" || s.Address != old.Address || s.Expires == nil {
			return fmt.Errorf("want BOUND on %s", old.Address)
		}
		if !s.Expires.After(old.Expires.Add(by)) {
			return fmt.Errorf("expires %v, want after %v", s.Expires, old.Expires.Add(by))
		}
		return nil
	})
	waitUntil(t, 3*time.Second, "the server's lease to move forward", func() error {
		got, ok := lab.ServerLease(old.addr())
		if !ok || !got.Expires.After(server.Expires.Add(by-time.Second)) {
			return fmt.Errorf("server lease %+v (found %v), want expiry after %v", got, ok, server.Expires.Add(by-time.Second))
		}
		return nil
	})
	checkServerAgrees(t, lab, st.status)
	// The kernel's valid lifetime is the lease's remaining time: it went
	// down for `by` before the ACK and came back up to nearly the lease.
	waitUntil(t, 3*time.Second, "the address lifetime to be refreshed", func() error {
		as := lab.ClientAddrs()
		if len(as) != 1 || as[0].Prefix.Addr() != old.addr() || as[0].ValidLft < timerLease-3*time.Second {
			return fmt.Errorf("addresses %+v, want %s valid for about %v", as, old.Address, timerLease)
		}
		return nil
	})
	waitEvent(t, lab, 3*time.Second, "EXTEND")
}

// TestRenew: at T1 the agent sends a REQUEST unicast from the leased
// address to the server (ciaddr set, no options 50 and 54); the ACK moves
// the lease forward in status, in the server's record and in the kernel.
func TestRenew(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind, LeaseTime: timerLease, RenewTime: lifeT1, RebindTime: lifeT2})
		c := lab.StartCapture()
		st := startBound(t, lab, "5")
		addr := st.addr()
		checkTimers(t, st)
		before, ok := lab.ServerLease(addr)
		if !ok {
			t.Fatalf("server has no lease of %v: %v", addr, lab.ServerLeases())
		}

		req := c.WaitForPacket(t, lifeT1+5*time.Second, "unicast REQUEST from the leased address", func(p Packet) bool {
			return p.DHCP == MsgRequest && p.Src.Addr() == addr && p.Dst == serverPort
		})
		checkRenewRequest(t, req, addr)
		checkNear(t, "renewing REQUEST", req.Time, st.Began.Add(lifeT1), time.Second)
		c.WaitForPacket(t, 3*time.Second, "ACK of the renewal", func(p Packet) bool {
			return p.DHCP == MsgAck && p.XID == req.XID && p.YourIP == addr
		})
		checkExtended(t, lab, st, lifeT1-time.Second, before)
	})
}

// TestRebind: with unicast to the server dropped in the client namespace,
// the renewal at T1 never arrives; at T2 the agent broadcasts the REQUEST
// (IP source the leased address, ciaddr set) and the server extends the
// lease.
func TestRebind(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind, LeaseTime: timerLease, RenewTime: lifeT1, RebindTime: lifeT2})
		c := lab.StartCapture()
		st := startBound(t, lab, "5")
		addr := st.addr()
		checkTimers(t, st)
		before, ok := lab.ServerLease(addr)
		if !ok {
			t.Fatalf("server has no lease of %v: %v", addr, lab.ServerLeases())
		}
		lab.BlockUnicastToServer() // well before T1

		req := c.WaitForPacket(t, lifeT2+5*time.Second, "broadcast REQUEST from the leased address", func(p Packet) bool {
			return p.DHCP == MsgRequest && p.Src.Addr() == addr && p.Dst == bcastPort
		})
		checkRenewRequest(t, req, addr)
		checkNear(t, "rebinding REQUEST", req.Time, st.Began.Add(lifeT2), time.Second)
		if req.DstMAC != "ff:ff:ff:ff:ff:ff" {
			t.Errorf("rebinding REQUEST to MAC %s, want broadcast", req.DstMAC)
		}
		if n := lab.BlockedUnicasts(); n < 1 {
			t.Errorf("no unicast renewal was tried at T1 (firewall counter %d)", n)
		}
		if ps := c.Filter(func(p Packet) bool { return p.DHCP == MsgRequest && p.Dst == serverPort }); len(ps) != 0 {
			t.Fatalf("a unicast REQUEST got through the firewall:\n%s", summaries(ps))
		}
		c.WaitForPacket(t, 3*time.Second, "ACK of the rebinding", func(p Packet) bool {
			return p.DHCP == MsgAck && p.XID == req.XID && p.YourIP == addr
		})
		checkExtended(t, lab, st, lifeT2-time.Second, before)
	})
}

// TestExpiry: with the server gone, the address stays until the lease
// expires and is removed then, with the default route; status goes back to
// SELECTING without an address, and EXPIRE is logged.
//
// Kea only: dnsmasq's shortest lease is 120 s, which would make this one
// test last over two minutes, and once the server is stopped the agent's
// behaviour does not depend on which server granted the lease.
func TestExpiry(t *testing.T) {
	t.Parallel()
	t.Run(string(Kea), func(t *testing.T) {
		t.Parallel()
		const lease = 10 * time.Second // under 60 s: the agent arms only the expiry timer
		lab := newLab(t, LabOptions{Server: Kea, LeaseTime: lease})
		st := startBound(t, lab, "5")
		addr, expires := st.addr(), *st.Expires
		if got := expires.Sub(*st.Began); got != lease {
			t.Fatalf("status lease %v, want %v", got, lease)
		}
		checkDefaultRoute(t, lab)
		lab.StopServer()

		// Poll the kernel every 50 ms: present until shortly before expiry,
		// gone within a few seconds after.
		var lastSeen, goneAt time.Time
		waitUntil(t, time.Until(expires)+5*time.Second, "the address to go at expiry", func() error {
			now := time.Now()
			if lab.ClientHasAddr(addr) {
				lastSeen = now
				return fmt.Errorf("%v still on %s", addr, ClientIface)
			}
			goneAt = now
			return nil
		})
		if goneAt.Before(expires.Add(-time.Second)) {
			t.Fatalf("address removed at %v, %v before the lease expired at %v",
				goneAt.Format(time.StampMilli), expires.Sub(goneAt), expires.Format(time.StampMilli))
		}
		if lastSeen.Before(expires.Add(-2 * time.Second)) {
			t.Errorf("address last seen at %v, want it present until about %v",
				lastSeen.Format(time.StampMilli), expires.Format(time.StampMilli))
		}
		if goneAt.After(expires.Add(3 * time.Second)) {
			t.Errorf("address removed %v after expiry, want within 3 s", goneAt.Sub(expires))
		}
		if got := defaultRoutes(lab); len(got) != 0 {
			t.Errorf("default routes after expiry: %v, want none", got)
		}
		waitStatus(t, lab, 3*time.Second, "SELECTING without an address", func(s fullStatus) error {
			if s.State != "SELECTING" || s.Address != "" {
				return fmt.Errorf("want SELECTING and no address")
			}
			return nil
		})
		waitEvent(t, lab, 3*time.Second, "EXPIRE")
	})
}

// TestNAK: after the server restarts with another pool (movePool),
// `agentctl extend` sends a renewal that the server NAKs; extend exits
// non-zero, the old address goes, and the agent starts over and binds an
// address of the new pool.
func TestNAK(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		c := lab.StartCapture()
		st := startBound(t, lab, "5")
		old := st.addr()
		mac := lab.ClientMAC()
		lab.RestartServer(func(o *LabOptions) { movePool(o, mac) })

		out, err := lab.Ctl("extend", ClientIface, "-o", "json")
		if err == nil {
			t.Fatalf("extend after the pool moved answered %s, want a non-zero exit (NAK)", out)
		}
		t.Logf("extend: %v: %s", err, out)
		req := c.WaitForPacket(t, 3*time.Second, "unicast REQUEST of extend", func(p Packet) bool {
			return p.DHCP == MsgRequest && p.Src.Addr() == old && p.Dst == serverPort
		})
		checkRenewRequest(t, req, old)
		c.WaitForPacket(t, 3*time.Second, "NAK", func(p Packet) bool {
			return p.DHCP == MsgNak && p.XID == req.XID && p.Src == serverPort
		})
		waitUntil(t, 3*time.Second, "the NAKed address to go", func() error {
			if lab.ClientHasAddr(old) {
				return fmt.Errorf("%v still on %s", old, ClientIface)
			}
			return nil
		})
		// SPEC §2 names the hook EXPIRE on a NAK; §5 also lists NAK.
		waitEvent(t, lab, 3*time.Second, "NAK", "EXPIRE")

		now := waitStatus(t, lab, 15*time.Second, "BOUND in the new pool", func(s fullStatus) error {
			if s.State != "BOUND" || !lab.InPool(s.addr()) {
				return fmt.Errorf("want BOUND on an address of %v-%v", movedPoolFirst, movedPoolLast)
			}
			return nil
		})
		checkKernelLease(t, lab, netip.PrefixFrom(now.addr(), 24), 10*time.Minute)
		lease, ok := lab.ServerLease(now.addr())
		if !ok || lease.MAC.String() != mac.String() || lease.Expires.Sub(*now.Expires).Abs() > 2*time.Second {
			t.Errorf("server lease of %s: %+v (found %v), want one for %v expiring about %v", now.Address, lease, ok, mac, now.Expires)
		}
	})
}
