//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDecline: with ARP_PROBE=yes, an address that another host already
// answers ARP for is probed (sender 0.0.0.0), declined (broadcast DECLINE
// with options 50 and 54), counted in status and recorded by the server;
// after a 10 s wait the agent binds another address, probed three times 1-2 s
// apart and announced twice. Two ways in, for each server:
//   - discover: the server reserves the squatted address for the client,
//     so a fresh start's DISCOVER is offered it (after the DECLINE both
//     servers hand out a pool address instead);
//   - reboot: start, drop (the server and the agent's store keep the
//     lease), squat, start: the ACK of the INIT_REBOOT REQUEST must be
//     probed too (RFC 5227 §2.1: before using an address, however it was
//     obtained).
func TestDecline(t *testing.T) {
	t.Parallel()
	for _, kind := range serverKinds {
		t.Run(string(kind)+"/discover", func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: kind, AgentConfig: "ARP_PROBE=yes"})
			taken := netip.MustParseAddr("198.18.0.120")
			mac := lab.ClientMAC()
			lab.RestartServer(func(o *LabOptions) { o.Reservations = []Reservation{{MAC: mac, IP: taken}} })
			c := lab.StartCapture()
			lab.Squat(taken)
			checkDecline(t, lab, c, taken, time.Now())
		})
		t.Run(string(kind)+"/reboot", func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: kind, AgentConfig: "ARP_PROBE=yes"})
			c := lab.StartCapture()
			first := startBound(t, lab, "20")
			taken := first.addr()
			var st fullStatus
			if err := lab.CtlJSON(&st, "drop", ClientIface); err != nil {
				t.Fatalf("drop: %v", err)
			}
			if lab.ClientHasAddr(taken) {
				t.Fatalf("%v still on %s after drop", taken, ClientIface)
			}
			lab.Squat(taken)
			checkDecline(t, lab, c, taken, time.Now())
		})
	}
}

// checkDecline starts the interface (it answers ARP for taken by now) and
// checks the probe, the DECLINE and the binding of another address that
// follow; packets before mark are not looked at.
func checkDecline(t *testing.T, lab *Lab, c *Capture, taken netip.Addr, mark time.Time) {
	t.Helper()
	mac := lab.ClientMAC().String()
	squatter := lab.SquatterMAC()
	// The pending start may be answered either way once the address is
	// declined; the interface goes on by itself.
	var st fullStatus
	if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "45"); err != nil {
		t.Logf("start with %v taken: %v", taken, err)
	}
	after := func(p Packet) bool { return p.Time.After(mark) }
	c.WaitForPacket(t, 10*time.Second, "ARP probe of the taken address", func(p Packet) bool {
		return after(p) && p.SrcMAC == mac && p.IsARPProbe(taken)
	})
	c.WaitForPacket(t, 3*time.Second, "the squatter's ARP reply", func(p Packet) bool {
		return after(p) && p.ARP == "Reply" && p.ARPSender == taken && p.SrcMAC == squatter
	})
	decline := c.WaitForPacket(t, 3*time.Second, "DHCPDECLINE", func(p Packet) bool {
		return after(p) && p.DHCP == MsgDecline && p.SrcMAC == mac
	})
	if decline.OptionAddr(50) != taken || decline.OptionAddr(54) != netip.MustParseAddr(router) || decline.Dst != bcastPort {
		t.Errorf("DECLINE to %v with options 50 %q 54 %q; want broadcast with 50 %v and 54 %s:\n%s",
			decline.Dst, decline.Options[50], decline.Options[54], taken, router, decline.Text())
	}
	waitUntil(t, 3*time.Second, "the server to record the decline", func() error {
		if got := lab.ServerDeclined(); !slices.Contains(got, taken) {
			return fmt.Errorf("ServerDeclined() = %v", got)
		}
		return nil
	})

	final := waitStatus(t, lab, 40*time.Second, "BOUND to another address", func(s fullStatus) error {
		if s.State != "BOUND" || !s.addr().IsValid() || s.addr() == taken {
			return fmt.Errorf("want BOUND on an address other than %v", taken)
		}
		return nil
	})
	got := final.addr()
	if !lab.InPool(got) {
		t.Errorf("bound %v, outside the pool", got)
	}
	if final.Declined < 1 {
		t.Errorf("status declined = %d, want at least 1", final.Declined)
	}
	// The client's next message comes after the 10 s wait.
	next := c.WaitForPacket(t, 3*time.Second, "the client's next DHCP message", func(p Packet) bool {
		return p.BOOTP && p.SrcMAC == mac && p.Time.After(decline.Time)
	})
	if wait := next.Time.Sub(decline.Time); wait < 10*time.Second-300*time.Millisecond {
		t.Errorf("next %s %v after the DECLINE, want 10 s", next.DHCP, wait)
	}
	// The new address: three probes 1-2 s apart, two announcements.
	probes := c.Filter(func(p Packet) bool { return p.SrcMAC == mac && p.IsARPProbe(got) })
	if len(probes) != 3 {
		t.Errorf("%d ARP probes of %v, want 3:\n%s", len(probes), got, summaries(probes))
	}
	for i := 1; i < len(probes); i++ {
		if gap := probes[i].Time.Sub(probes[i-1].Time); gap < 900*time.Millisecond || gap > 2100*time.Millisecond {
			t.Errorf("probe %d came %v after the one before, want 1-2 s", i+1, gap)
		}
	}
	waitUntil(t, 5*time.Second, "two ARP announcements of "+got.String(), func() error {
		if n := len(c.Filter(func(p Packet) bool { return p.SrcMAC == mac && p.IsARPAnnouncement(got) })); n < 2 {
			return fmt.Errorf("%d so far", n)
		}
		return nil
	})
	if !lab.ClientHasAddr(got) || lab.ClientHasAddr(taken) {
		t.Errorf("kernel addresses %v, want %v and not %v", lab.ClientAddrs(), got, taken)
	}
	waitEvent(t, lab, 3*time.Second, "DECLINE")
}

// TestRapidCommit: with RAPID_COMMIT=yes the DISCOVER carries option 80,
// dnsmasq (--dhcp-rapid-commit) answers with an ACK carrying option 80, and
// the agent binds on it: no OFFER, no REQUEST. dnsmasq only: Kea 2.2 has no
// DHCPv4 rapid commit.
func TestRapidCommit(t *testing.T) {
	t.Parallel()
	t.Run(string(Dnsmasq), func(t *testing.T) {
		t.Parallel()
		lab := newLab(t, LabOptions{Server: Dnsmasq, RapidCommit: true, AgentConfig: "RAPID_COMMIT=yes"})
		c := lab.StartCapture()
		mac := lab.ClientMAC().String()
		st := startBound(t, lab, "5")
		addr := st.addr()

		disc := c.WaitForPacket(t, 3*time.Second, "DISCOVER with option 80", func(p Packet) bool {
			return p.DHCP == MsgDiscover && p.SrcMAC == mac && p.Has(80)
		})
		c.WaitForPacket(t, 3*time.Second, "ACK with option 80", func(p Packet) bool {
			return p.DHCP == MsgAck && p.XID == disc.XID && p.YourIP == addr && p.Has(80)
		})
		c.NeverFor(t, time.Second, "OFFER or REQUEST", func(p Packet) bool {
			return p.DHCP == MsgOffer || (p.DHCP == MsgRequest && p.SrcMAC == mac)
		})
		checkKernelLease(t, lab, netip.PrefixFrom(addr, 24), 10*time.Minute)
		checkServerAgrees(t, lab, st.status)
	})
}

// TestClasslessRoutes: option 121 routes are installed (proto dhcp) and
// option 3 is then ignored; drop removes them.
func TestClasslessRoutes(t *testing.T) {
	t.Parallel()
	gw := netip.MustParseAddr(router)
	for _, kind := range serverKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{
				Server:  kind,
				Routers: []netip.Addr{netip.MustParseAddr("198.18.0.254")},
				ClasslessRoutes: []ClasslessRoute{
					{Dst: netip.MustParsePrefix("198.19.0.0/16"), Gw: gw},
					{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: gw},
				},
			})
			c := lab.StartCapture()
			st := startBound(t, lab, "5")
			ack := c.WaitForPacket(t, 3*time.Second, "ACK", func(p Packet) bool { return p.DHCP == MsgAck && p.YourIP == st.addr() })
			if !ack.Has(121) || ack.Options[3] != "198.18.0.254" {
				t.Fatalf("the server's ACK lacks option 121 or 3:\n%s", ack.Text())
			}

			metric := 1000 + ifindex(t, lab, ClientIface) // not the primary (SPEC §2)
			want := []Route{
				{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: gw, Protocol: "dhcp", Metric: metric},
				{Dst: netip.MustParsePrefix("198.19.0.0/16"), Gateway: gw, Protocol: "dhcp", Metric: metric},
			}
			if diff := cmp.Diff(want, gatewayRoutes(lab), equateNetip); diff != "" {
				t.Errorf("routes via a gateway (-want +got):\n%s", diff)
			}
			if err := lab.CtlJSON(&st, "drop", ClientIface); err != nil {
				t.Fatalf("drop: %v", err)
			}
			if got := gatewayRoutes(lab); len(got) != 0 {
				t.Errorf("routes after drop: %v, want none", got)
			}
		})
	}
}

// gatewayRoutes returns the routes via a gateway, sorted by destination.
func gatewayRoutes(lab *Lab) []Route {
	var out []Route
	for _, r := range lab.ClientRoutes() {
		if r.Gateway.IsValid() {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Route) int { return a.Dst.Addr().Compare(b.Dst.Addr()) })
	return out
}

// TestInform: on an interface with a static address, `agentctl inform`
// sends DHCPINFORM from that address (ciaddr set), the server ACKs it, the
// interface is in INFORMATION, and the static address is untouched.
func TestInform(t *testing.T) {
	t.Parallel()
	static := netip.MustParsePrefix("198.18.0.50/24")
	for _, kind := range serverKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: kind})
			c := lab.StartCapture()
			mac := lab.ClientMAC()
			if _, err := lab.ClientExec("ip", "addr", "add", static.String(), "dev", ClientIface); err != nil {
				t.Fatal(err)
			}
			var st fullStatus
			if err := lab.CtlJSON(&st, "inform", ClientIface); err != nil {
				t.Fatalf("inform: %v", err)
			}
			if st.State != "INFORMATION" {
				t.Errorf("inform answered state %s, want INFORMATION", st.State)
			}
			inform := c.WaitForPacket(t, 3*time.Second, "DHCPINFORM from the static address", func(p Packet) bool {
				return p.DHCP == MsgInform && p.SrcMAC == mac.String() && p.Src.Addr() == static.Addr()
			})
			if inform.ClientIP != static.Addr() || inform.Has(50) {
				t.Errorf("INFORM with ciaddr %v, option 50 %q; want ciaddr %v, no 50:\n%s",
					inform.ClientIP, inform.Options[50], static.Addr(), inform.Text())
			}
			c.WaitForPacket(t, 3*time.Second, "the server's ACK", func(p Packet) bool {
				return p.DHCP == MsgAck && p.XID == inform.XID && p.Src == serverPort && p.Dst.Addr() == static.Addr()
			})
			want := []Addr{{Prefix: static, ValidLft: Forever, PreferredLft: Forever}}
			if diff := cmp.Diff(want, lab.ClientAddrs(), equateNetip); diff != "" {
				t.Errorf("addresses after inform (-want +got):\n%s", diff)
			}
			for _, l := range lab.ServerLeases() {
				if l.MAC.String() == mac.String() {
					t.Errorf("the server leased %v for an INFORM", l.IP)
				}
			}
			waitStatus(t, lab, 3*time.Second, "INFORMATION", func(s fullStatus) error {
				if s.State != "INFORMATION" {
					return fmt.Errorf("want INFORMATION")
				}
				return nil
			})
			waitEvent(t, lab, 3*time.Second, "INFORM")
		})
	}
}

// TestMTU: option 26 sets the link's MTU with APPLY_MTU=yes, and is left
// alone without it, even when a configured request list asks for it (the
// default list asks for 26 only with APPLY_MTU=yes).
func TestMTU(t *testing.T) {
	t.Parallel()
	for _, kind := range serverKinds {
		for _, apply := range []bool{true, false} {
			name, conf, want := string(kind)+"/apply", "APPLY_MTU=yes", 1400
			if !apply {
				name, conf, want = string(kind)+"/ignore", "PARAM_REQUEST_LIST=1,3,26,51,54", 1500
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				lab := newLab(t, LabOptions{Server: kind, MTU: 1400, AgentConfig: conf})
				c := lab.StartCapture()
				st := startBound(t, lab, "5")
				c.WaitForPacket(t, 3*time.Second, "ACK with MTU 1400", func(p Packet) bool {
					return p.DHCP == MsgAck && p.YourIP == st.addr() && p.Options[26] == "1400"
				})
				holdFor(t, time.Second, "link MTU", func() error {
					if got := lab.ClientMTU(); got != want {
						return fmt.Errorf("MTU %d, want %d", got, want)
					}
					return nil
				})
			})
		}
	}
}
