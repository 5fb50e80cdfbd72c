//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestSurvivePanic: three interfaces bound (each on a subnet of its own),
// an injected panic (debug-panic, --test-hooks) in the actor of one. That
// one is restarted, verifies its lease with an INIT-REBOOT REQUEST and is
// BOUND on the same address, which never left the interface; the other two
// keep their state, address, expiry and exact counters. Then six panics in
// a row in another one: after five it still answers ping; the sixth
// (more than 5 within a minute) marks it FAILED (ping FAILEDIF, status
// FAILED), and the remaining two are again untouched.
func TestSurvivePanic(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		opts := LabOptions{Server: kind, NoAgent: true, AgentArgs: []string{"--test-hooks"}}
		if kind == Dnsmasq {
			// dnsmasq's option 3 goes to every subnet: send none,
			// rather than a router off the other links. Kea's
			// options are per subnet, and keaArgs writes an empty
			// list as null, which Kea refuses.
			opts.Routers = []netip.Addr{}
		}
		lab := newLab(t, opts)
		links := lab.svAddLinks(2)
		lab.svServeLinks(links)
		c := lab.StartCapture()
		lab.StartAgent()

		names := []string{ClientIface}
		for _, k := range links {
			names = append(names, k.Client)
		}
		for i, name := range names {
			var st fullStatus
			if err := lab.CtlJSON(&st, "start", name, "--wait", svBindWait); err != nil || st.State != "BOUND" {
				t.Fatalf("start %s: %+v, %v", name, st, err)
			}
			if i > 0 && !links[i-1].Subnet.Contains(st.addr()) {
				t.Fatalf("%s bound %v, want an address of %v", name, st.addr(), links[i-1].Subnet)
			}
		}
		before := svStatuses(t, lab)
		victim := before[ClientIface]
		addr := victim.addr()
		mac := lab.ClientMAC().String()
		w := lab.svWatchAddr(ClientIface, addr)

		mark := time.Now()
		lab.svPanic(ClientIface)
		lab.svWaitLog(3*time.Second, "interface actor failed; restarting it", ClientIface)
		reboot := c.WaitForPacket(t, 5*time.Second, "INIT-REBOOT REQUEST of the restarted actor", func(p Packet) bool {
			return p.Time.After(mark) && svIsReboot(p, mac, addr)
		})
		c.WaitForPacket(t, 10*time.Second, "its ACK", func(p Packet) bool {
			return p.DHCP == MsgAck && p.XID == reboot.XID && p.YourIP == addr
		})
		lab.svWaitState(3*time.Second, ClientIface, "BOUND", addr)
		holdFor(t, time.Second, ClientIface+" BOUND after the panic", func() error {
			s, err := lab.svStatus(ClientIface)
			if err != nil || s.State != "BOUND" || s.addr() != addr {
				return fmt.Errorf("status %+v, %v", s, err)
			}
			return nil
		})
		w.check(t)
		c.NeverFor(t, 0, "DISCOVER after the panic", func(p Packet) bool {
			return p.Time.After(mark) && p.DHCP == MsgDiscover
		})
		after := svStatuses(t, lab)
		for _, name := range names[1:] {
			svSameStatus(t, name, before[name], after[name])
		}

		// Six panics in a row in the second interface.
		sick := names[1]
		before = after
		for i := 1; i <= 6; i++ {
			lab.svPanic(sick)
			if i == 5 {
				// Five restarts are within the limit.
				rep, err := lab.svRequest("ping", sick, 3*time.Second)
				if err != nil || rep.Error != "" {
					t.Fatalf("ping %s after 5 panics: %+v, %v; want OK", sick, rep, err)
				}
			}
		}
		lab.svWaitLog(3*time.Second, "interface actor failed too often; interface marked FAILED", sick)
		waitUntil(t, 5*time.Second, "ping "+sick+" to answer FAILEDIF", func() error {
			rep, err := lab.svRequest("ping", sick, time.Second)
			if err != nil || rep.Error != "FAILEDIF" {
				return fmt.Errorf("ping: %+v, %v", rep, err)
			}
			return nil
		})
		if _, err := lab.Ctl("ping", sick); err == nil {
			t.Errorf("agentctl ping %s exited 0, want FAILEDIF", sick)
		}
		st, err := lab.svStatus(sick)
		if err != nil || st.State != "FAILED" {
			t.Errorf("status %s: %+v, %v; want state FAILED", sick, st, err)
		}
		after = svStatuses(t, lab)
		if got := after[sick]; got.State != "FAILED" {
			t.Errorf("status of every interface lists %s as %+v, want FAILED", sick, got)
		}
		for _, name := range []string{names[0], names[2]} {
			svSameStatus(t, name, before[name], after[name])
			if rep, err := lab.svRequest("ping", name, 3*time.Second); err != nil || rep.Error != "" {
				t.Errorf("ping %s: %+v, %v; want OK", name, rep, err)
			}
		}
	})
}

// svStatuses is `status` of every interface, by name.
func svStatuses(t *testing.T, lab *Lab) map[string]fullStatus {
	t.Helper()
	rep, err := lab.svRequest("status", "", 3*time.Second)
	if err != nil || rep.Error != "" {
		t.Fatalf("status: %+v, %v", rep, err)
	}
	out := map[string]fullStatus{}
	for _, s := range rep.Statuses {
		out[s.Ifname] = s
	}
	return out
}

// svSameStatus fails unless an interface that was left alone kept its
// state, lease and counters exactly.
func svSameStatus(t *testing.T, name string, before, after fullStatus) {
	t.Helper()
	same := before.State == after.State && before.Address == after.Address &&
		before.Sent == after.Sent && before.Received == after.Received &&
		before.Expires != nil && after.Expires != nil && before.Expires.Equal(*after.Expires)
	if !same {
		t.Errorf("%s changed: before %+v, after %+v", name, before, after)
	}
}
