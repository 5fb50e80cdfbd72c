//go:build integration

package integration

// The proof of issue 5 (leases that survive anything) against dnsmasq and
// Kea: restarts after kill -9 and SIGTERM, and a corrupt lease record,
// here; supervision in survive_panic_test.go, hooks in
// survive_hooks_test.go, carrier in survive_carrier_test.go, the
// configuration file and SIGHUP in survive_config_test.go; the harness in
// survive_lab_test.go.

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSurviveKill9Bound: kill -9 while BOUND, then start the agent again
// without any command. The address never leaves the interface (ip monitor
// and 10 ms polling over the whole window), the new agent verifies the
// lease with an INIT-REBOOT REQUEST and is BOUND on the same address with
// the same expiry, and the server holds one lease for the client.
func TestSurviveKill9Bound(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		c := lab.StartCapture()
		mac := lab.ClientMAC()
		st := startBound(t, lab, svBindWait)
		addr := st.addr()
		if _, ok := lab.svReadLease(ClientIface); !ok {
			t.Fatalf("no lease record %s after BOUND", lab.svLeaseFile(ClientIface))
		}
		w := lab.svWatchAddr(ClientIface, addr)

		lab.KillAgent()
		mark := time.Now()
		holdFor(t, 500*time.Millisecond, "address with no agent running", func() error {
			if !lab.ClientHasAddr(addr) {
				return fmt.Errorf("%v gone", addr)
			}
			return nil
		})
		lab.StartAgent()

		// The first status answered names the stored lease: the
		// adopted address in INIT_REBOOT, or BOUND once verified.
		first := waitStatus(t, lab, 3*time.Second, "the resumed interface", func(s fullStatus) error {
			if s.State != "INIT_REBOOT" && s.State != "BOUND" {
				return fmt.Errorf("want INIT_REBOOT or BOUND")
			}
			return nil
		})
		t.Logf("first status after the restart: %s %s expires %v", first.State, first.Address, first.Expires)
		if first.addr() != addr {
			t.Errorf("resumed on %q, want %v", first.Address, addr)
		}
		if first.State == "INIT_REBOOT" && (first.Expires == nil || first.Expires.Sub(*st.Expires).Abs() > time.Second) {
			t.Errorf("adopted lease expires %v, want the stored %v", first.Expires, st.Expires)
		}

		reboot := c.WaitForPacket(t, 5*time.Second, "INIT-REBOOT REQUEST after the restart", func(p Packet) bool {
			return p.Time.After(mark) && svIsReboot(p, mac.String(), addr)
		})
		c.WaitForPacket(t, 10*time.Second, "ACK of the INIT-REBOOT REQUEST", func(p Packet) bool {
			return p.DHCP == MsgAck && p.XID == reboot.XID && p.YourIP == addr
		})
		c.NeverFor(t, 0, "DISCOVER after the restart", func(p Packet) bool {
			return p.Time.After(mark) && p.DHCP == MsgDiscover
		})
		now := waitStatus(t, lab, 3*time.Second, "BOUND on the same address", func(s fullStatus) error {
			if s.State != "BOUND" || s.addr() != addr || s.Expires == nil {
				return fmt.Errorf("want BOUND on %v", addr)
			}
			return nil
		})
		// The verified lease counts from the INIT-REBOOT REQUEST: its
		// expiry moved by the time the agent was away, no more.
		away := time.Since(st.Began.Add(-time.Second))
		d := now.Expires.Sub(*st.Expires)
		t.Logf("expiry %v before the kill, %v once verified: moved %v", st.Expires, now.Expires, d)
		if d < -time.Second || d > away {
			t.Errorf("expiry %v after the restart, %v before: moved %v, want 0 to %v",
				now.Expires, st.Expires, d, away.Round(time.Second))
		}
		// Watch a little longer: a late removal counts too.
		holdFor(t, time.Second, "BOUND after the restart", func() error {
			s, err := lab.svStatus(ClientIface)
			if err != nil || s.State != "BOUND" || s.addr() != addr {
				return fmt.Errorf("status %+v, %v", s, err)
			}
			return nil
		})
		w.check(t)
		checkKernelLease(t, lab, netip.PrefixFrom(addr, 24), 10*time.Minute)
		checkDefaultRoute(t, lab)
		checkServerAgrees(t, lab, now.status)
		if got := lab.svClientLeases(mac); len(got) != 1 || got[0].IP != addr {
			t.Errorf("server leases of %v: %+v, want one, of %v", mac, got, addr)
		}
	})
}

// TestSurviveKill9Requesting: kill -9 while REQUESTING (the REQUESTs are
// dropped on their way out, so the agent waits for an ACK), then start the
// agent again without any command: the interface binds, and the server
// holds one lease for it.
func TestSurviveKill9Requesting(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		c := lab.StartCapture()
		mac := lab.ClientMAC()
		lab.svBlockRequests(ClientIface)
		if _, err := lab.Ctl("start", ClientIface, "--wait", "1"); err == nil || !strings.Contains(err.Error(), "TIMEOUT") {
			t.Fatalf("start with REQUESTs dropped: %v, want TIMEOUT", err)
		}
		waitStatus(t, lab, 5*time.Second, "REQUESTING", func(s fullStatus) error {
			if s.State != "REQUESTING" {
				return fmt.Errorf("want REQUESTING")
			}
			return nil
		})
		c.WaitForPacket(t, 3*time.Second, "the OFFER", func(p Packet) bool { return p.DHCP == MsgOffer })
		if n := lab.svBlockedRequests(); n < 1 {
			t.Fatalf("no REQUEST dropped (counter %d)", n)
		}
		if ps := c.Filter(func(p Packet) bool { return p.DHCP == MsgRequest }); len(ps) != 0 {
			t.Fatalf("a REQUEST reached the server:\n%s", summaries(ps))
		}

		lab.KillAgent()
		if _, ok := lab.svReadLease(ClientIface); ok {
			t.Errorf("a lease record exists though nothing was bound")
		}
		if !lab.svManaged(ClientIface) {
			t.Errorf("%s is not under management in the state directory", ClientIface)
		}
		lab.svUnblockRequests()
		mark := time.Now()
		lab.StartAgent()

		st := waitStatus(t, lab, 20*time.Second, "BOUND after the restart", func(s fullStatus) error {
			if s.State != "BOUND" || !lab.InPool(s.addr()) {
				return fmt.Errorf("want BOUND on a pool address")
			}
			return nil
		})
		first := c.WaitForPacket(t, 3*time.Second, "the restarted agent's first message", func(p Packet) bool {
			return p.Time.After(mark) && p.BOOTP && p.SrcMAC == mac.String()
		})
		t.Logf("after the restart the agent began with a %s", first.DHCP)
		c.WaitForPacket(t, 3*time.Second, "ACK", func(p Packet) bool {
			return p.Time.After(mark) && p.DHCP == MsgAck && p.YourIP == st.addr()
		})
		checkKernelLease(t, lab, netip.PrefixFrom(st.addr(), 24), 10*time.Minute)
		checkServerAgrees(t, lab, st.status)
		if got := lab.svClientLeases(mac); len(got) != 1 {
			t.Errorf("server leases of %v: %+v, want one", mac, got)
		}
	})
}

// TestSurviveSIGTERM: SIGTERM drops every interface (exit 0, address and
// default route removed, the lease record and the managed set kept, the
// server keeps its lease), and the next agent resumes the interface with an
// INIT-REBOOT REQUEST onto the same address, without any command. With
// RELEASE_ON_SIGTERM=yes the agent releases instead: the server forgets the
// lease and so does the agent.
func TestSurviveSIGTERM(t *testing.T) {
	t.Parallel()
	for _, kind := range serverKinds {
		t.Run(string(kind)+"/drop", func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: kind})
			c := lab.StartCapture()
			mac := lab.ClientMAC()
			st := startBound(t, lab, svBindWait)
			addr := st.addr()

			if err := lab.StopAgent(); err != nil {
				t.Fatalf("agent after SIGTERM: %v, want exit 0", err)
			}
			if got := lab.ClientAddrs(); len(got) != 0 {
				t.Errorf("addresses after SIGTERM: %v, want none", got)
			}
			if got := defaultRoutes(lab); len(got) != 0 {
				t.Errorf("default routes after SIGTERM: %v, want none", got)
			}
			rec, ok := lab.svReadLease(ClientIface)
			if !ok || svRecordAddr(rec) != addr {
				t.Errorf("lease record after SIGTERM: %+v (found %v), want one of %v", rec, ok, addr)
			}
			if !lab.svManaged(ClientIface) {
				t.Errorf("%s is not under management after SIGTERM in the state directory", ClientIface)
			}
			if _, ok := lab.ServerLease(addr); !ok {
				t.Errorf("the server lost the lease of %v on SIGTERM: %v", addr, lab.ServerLeases())
			}
			if ps := c.Filter(func(p Packet) bool { return p.DHCP == MsgRelease }); len(ps) != 0 {
				t.Errorf("RELEASE sent on SIGTERM:\n%s", summaries(ps))
			}

			mark := time.Now()
			lab.StartAgent()
			reboot := c.WaitForPacket(t, 5*time.Second, "INIT-REBOOT REQUEST after the restart", func(p Packet) bool {
				return p.Time.After(mark) && p.DHCP == MsgRequest && p.SrcMAC == mac.String()
			})
			if !svIsReboot(reboot, mac.String(), addr) {
				t.Errorf("first REQUEST after the restart is not an INIT-REBOOT REQUEST for %v (option 50 only, from 0.0.0.0):\n%s",
					addr, reboot.Text())
			}
			c.WaitForPacket(t, 10*time.Second, "ACK of the INIT-REBOOT REQUEST", func(p Packet) bool {
				return p.DHCP == MsgAck && p.XID == reboot.XID && p.YourIP == addr
			})
			c.NeverFor(t, 0, "DISCOVER after the restart", func(p Packet) bool {
				return p.Time.After(mark) && p.DHCP == MsgDiscover
			})
			now := waitStatus(t, lab, 3*time.Second, "BOUND on the same address", func(s fullStatus) error {
				if s.State != "BOUND" || s.addr() != addr {
					return fmt.Errorf("want BOUND on %v", addr)
				}
				return nil
			})
			checkKernelLease(t, lab, netip.PrefixFrom(addr, 24), 10*time.Minute)
			checkDefaultRoute(t, lab)
			checkServerAgrees(t, lab, now.status)
			if got := lab.svClientLeases(mac); len(got) != 1 {
				t.Errorf("server leases of %v: %+v, want one", mac, got)
			}
		})
		t.Run(string(kind)+"/release", func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: kind, AgentConfig: "RELEASE_ON_SIGTERM=yes"})
			c := lab.StartCapture()
			mac := lab.ClientMAC()
			st := startBound(t, lab, svBindWait)
			addr := st.addr()

			if err := lab.StopAgent(); err != nil {
				t.Fatalf("agent after SIGTERM: %v, want exit 0", err)
			}
			rel := c.WaitForPacket(t, 3*time.Second, "RELEASE", func(p Packet) bool {
				return p.DHCP == MsgRelease && p.SrcMAC == mac.String()
			})
			if rel.ClientIP != addr || rel.OptionAddr(54) != netip.MustParseAddr(router) || rel.Dst != serverPort {
				t.Errorf("RELEASE to %v ciaddr %v option 54 %q; want to %v, ciaddr %v, 54 %s:\n%s",
					rel.Dst, rel.ClientIP, rel.Options[54], serverPort, addr, router, rel.Text())
			}
			waitUntil(t, 3*time.Second, "the server to record the release", func() error {
				if l, ok := lab.ServerLease(addr); ok {
					return fmt.Errorf("server still holds %+v", l)
				}
				return nil
			})
			if got := lab.ClientAddrs(); len(got) != 0 {
				t.Errorf("addresses after SIGTERM: %v, want none", got)
			}
			if rec, ok := lab.svReadLease(ClientIface); ok {
				t.Errorf("lease record after a release: %+v, want none", rec)
			}
			if !lab.svManaged(ClientIface) {
				t.Errorf("%s is not under management after SIGTERM in the state directory", ClientIface)
			}
		})
	}
}

// TestSurviveCorruptRecord: with the agent stopped, the lease record of a
// managed interface is overwritten with garbage, or cut short. The next
// agent logs "corrupt state file set aside", renames the file to
// NAME.corrupt-TIME, and acquires afresh (DISCOVER, no INIT-REBOOT).
func TestSurviveCorruptRecord(t *testing.T) {
	t.Parallel()
	for _, kind := range serverKinds {
		for _, how := range []string{"garbage", "truncated"} {
			t.Run(string(kind)+"/"+how, func(t *testing.T) {
				t.Parallel()
				lab := newLab(t, LabOptions{Server: kind})
				c := lab.StartCapture()
				mac := lab.ClientMAC()
				startBound(t, lab, svBindWait)
				if err := lab.StopAgent(); err != nil {
					t.Fatalf("agent after SIGTERM: %v", err)
				}
				file := lab.svLeaseFile(ClientIface)
				good, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("lease record after SIGTERM: %v", err)
				}
				bad := []byte("\x00\xffnot json at all {{{\n")
				if how == "truncated" {
					bad = good[:len(good)/2]
				}
				if err := os.WriteFile(file, bad, 0o600); err != nil {
					t.Fatal(err)
				}
				if !lab.svManaged(ClientIface) {
					t.Fatalf("%s is not under management in the state directory", ClientIface)
				}

				mark := time.Now()
				lab.StartAgent()
				line := lab.svWaitLog(5*time.Second, "corrupt state file set aside", "")
				t.Logf("agent: %s", line.Text)
				aside, _ := filepath.Glob(file + ".corrupt-*")
				if len(aside) != 1 {
					t.Fatalf("set-aside files %v, want one %s.corrupt-*", aside, file)
				}
				if line.File != aside[0] {
					t.Errorf("the log names %q, the file set aside is %q", line.File, aside[0])
				}
				if b, _ := os.ReadFile(aside[0]); string(b) != string(bad) {
					t.Errorf("%s holds %q, want the corrupt content %q", aside[0], b, bad)
				}

				st := waitStatus(t, lab, 20*time.Second, "BOUND afresh", func(s fullStatus) error {
					if s.State != "BOUND" || !lab.InPool(s.addr()) {
						return fmt.Errorf("want BOUND on a pool address")
					}
					return nil
				})
				c.WaitForPacket(t, 3*time.Second, "DISCOVER after the restart", func(p Packet) bool {
					return p.Time.After(mark) && p.DHCP == MsgDiscover && p.SrcMAC == mac.String()
				})
				c.NeverFor(t, 0, "INIT-REBOOT REQUEST after the restart", func(p Packet) bool {
					return p.Time.After(mark) && p.DHCP == MsgRequest && p.Has(50) && !p.Has(54)
				})
				rec, ok := lab.svReadLease(ClientIface)
				if !ok || svRecordAddr(rec) != st.addr() {
					t.Errorf("lease record after binding afresh: %+v (found %v), want one of %s", rec, ok, st.Address)
				}
				checkServerAgrees(t, lab, st.status)
			})
		}
	}
}
