//go:build integration

package integration

import (
	"fmt"
	"testing"
	"time"
)

// TestShortLeaseHeld: a 30 s lease (Kea; dnsmasq grants no less than 2
// minutes) is renewed at T1 by unicast and held for three lifetimes with
// the address never absent (polled every 50 ms), SPEC §2 "Keeping the
// lease": short leases are renewed like any other.
func TestShortLeaseHeld(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Kea, LeaseTime: 30 * time.Second})
	c := lab.StartCapture()
	st := startBound(t, lab, "10")
	addr := st.addr()
	holdFor(t, 90*time.Second, "the 30 s lease's address", func() error {
		if !lab.ClientHasAddr(addr) {
			return fmt.Errorf("%v absent", addr)
		}
		return nil
	})
	renewals := c.Filter(func(p Packet) bool {
		return p.DHCP == MsgRequest && p.Src.Addr() == addr && p.Dst == serverPort && p.ClientIP == addr
	})
	// T1 at 15 s: about six renewals in 90 s; at least four whatever the fuzz.
	if len(renewals) < 4 {
		t.Fatalf("%d unicast renewals in 90 s of a 30 s lease, want at least 4:\n%s", len(renewals), summaries(c.Packets()))
	}
}
