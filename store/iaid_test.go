package store

import (
	"net"
	"testing"

	"github.com/dhcpagent/dhcpagent/lease"
)

// TestIAID: an interface's recorded IAID stays when its MAC changes; one
// with no recorded IAID, or never managed, derives it from its MAC.
func TestIAID(t *testing.T) {
	s, _ := open(t)
	hw0, hw1 := net.HardwareAddr{2, 0, 0, 0, 0, 1}, net.HardwareAddr{2, 0, 0, 0, 0, 9}
	if got := s.IAID("eth0", hw0); got != lease.IAID(hw0) {
		t.Fatalf("IAID of an unrecorded interface = %d, want %d from its MAC", got, lease.IAID(hw0))
	}
	v := lease.IAID(hw0)
	if err := s.UpdateInterface("eth0", func(r *Interface) { r.IAID, r.Managed = &v, true }); err != nil {
		t.Fatal(err)
	}
	if got := s.IAID("eth0", hw1); got != v {
		t.Errorf("IAID after a MAC change = %d, want the recorded %d", got, v)
	}
	if err := s.UpdateInterface("eth1", func(r *Interface) { r.Managed = true }); err != nil {
		t.Fatal(err)
	}
	if got := s.IAID("eth1", hw1); got != lease.IAID(hw1) {
		t.Errorf("IAID of a record with none = %d, want %d from its MAC", got, lease.IAID(hw1))
	}
	if got := s.IAID("../x", hw1); got != lease.IAID(hw1) {
		t.Errorf("IAID of an invalid name = %d, want %d from its MAC", got, lease.IAID(hw1))
	}
}
