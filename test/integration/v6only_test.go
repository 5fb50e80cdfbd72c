//go:build integration

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestV6OnlyKea: RFC 8925 against Kea's v6-only-preferred (option 108,
// V6ONLY_WAIT 600 s). With IPV6_ONLY_PREFERRED=yes the DISCOVER asks for
// 108, Kea's OFFER carries it, and the agent requests nothing: `start`
// answers at once with state V6ONLY and the instant DHCPv4 resumes, status
// is V6ONLY (not BUSY), watch shows SELECTING -> V6ONLY with that instant,
// the kernel gets no address. A network attachment event (carrier lost
// and back) resumes DHCPv4 with a new DISCOVER at once, which hears 108
// again. (Resuming after V6ONLY_WAIT itself, 300 s at least, is left to the
// fake-clock tests.)
func TestV6OnlyKea(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Kea, V6OnlyWait: 600 * time.Second, AgentConfig: "IPV6_ONLY_PREFERRED=yes"})
	c := lab.StartCapture()
	w := lab.StartWatch(nil, 0)
	mac := lab.ClientMAC().String()
	began := time.Now()
	var st struct {
		fullStatus
		V6OnlyUntil *time.Time `json:"v6only_until"`
	}
	if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "60"); err != nil {
		t.Fatalf("start: %v", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("start answered after %v, want at once", took)
	}
	if st.State != "V6ONLY" || st.Address != "" || st.V6OnlyUntil == nil {
		t.Fatalf("start answered %+v (until %v), want V6ONLY with no address and v6only_until", st.fullStatus, st.V6OnlyUntil)
	}
	if d := st.V6OnlyUntil.Sub(began); d < 595*time.Second || d > 605*time.Second {
		t.Errorf("v6only_until %v is %v after the start, want Kea's 600 s", st.V6OnlyUntil, d)
	}
	disc := c.WaitForPacket(t, 3*time.Second, "DISCOVER asking for 108", func(p Packet) bool {
		return p.DHCP == MsgDiscover && p.SrcMAC == mac
	})
	if !strings.Contains(disc.Options[55], "(108)") {
		t.Errorf("DISCOVER's parameter request list %q lacks 108", disc.Options[55])
	}
	c.WaitForPacket(t, 3*time.Second, "Kea's OFFER with 108", func(p Packet) bool {
		return p.DHCP == MsgOffer && p.XID == disc.XID && p.Has(108)
	})
	c.NeverFor(t, 2*time.Second, "a REQUEST or another DISCOVER", func(p Packet) bool {
		return p.BOOTP && p.SrcMAC == mac && p.Time.After(disc.Time)
	})
	now := waitStatus(t, lab, 3*time.Second, "V6ONLY", func(s fullStatus) error {
		if s.State != "V6ONLY" || len(s.Flags) != 0 {
			return fmt.Errorf("want V6ONLY without flags")
		}
		return nil
	})
	if len(lab.ClientAddrs()) != 0 {
		t.Errorf("addresses %v on an IPv6-only network, want none", lab.ClientAddrs())
	}
	waitUntil(t, 3*time.Second, "the V6ONLY watch event", func() error {
		evs, err := w.Events()
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Ifname == ClientIface && e.Kind == "state" && e.State == "V6ONLY" {
				if e.From != "SELECTING" || e.Until == nil || !e.Until.Equal(*st.V6OnlyUntil) {
					t.Fatalf("watch event %+v (until %v), want SELECTING -> V6ONLY until %v", e, e.Until, st.V6OnlyUntil)
				}
				return nil
			}
		}
		return fmt.Errorf("%d events, none V6ONLY", len(evs))
	})
	if out, err := lab.Ctl("start", ClientIface); err == nil || !strings.Contains(err.Error(), "RFC 8925") {
		t.Errorf("second start: %q, %v; want RUNNING naming RFC 8925", out, err)
	}
	t.Logf("V6ONLY: %+v", now)

	// Carrier lost and back: DHCPv4 resumes at once.
	lab.ip("-n", lab.ServerNS, "link", "set", ServerIface, "down")
	lab.svWaitLog(3*time.Second, "carrier lost", ClientIface)
	mark := time.Now()
	lab.ip("-n", lab.ServerNS, "link", "set", ServerIface, "up")
	again := c.WaitForPacket(t, 5*time.Second, "a DISCOVER after the carrier came back", func(p Packet) bool {
		return p.DHCP == MsgDiscover && p.SrcMAC == mac && p.Time.After(mark)
	})
	c.WaitForPacket(t, 3*time.Second, "the new OFFER with 108", func(p Packet) bool {
		return p.DHCP == MsgOffer && p.XID == again.XID && p.Has(108)
	})
	waitStatus(t, lab, 3*time.Second, "V6ONLY again", func(s fullStatus) error {
		if s.State != "V6ONLY" {
			return fmt.Errorf("want V6ONLY")
		}
		return nil
	})
}
