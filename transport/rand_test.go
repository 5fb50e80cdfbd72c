package transport

import (
	"net"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestRand: xids come from the Router (never one bound), values of
// Int63n stay in [0, n) and reach every one of a few.
func TestRand(t *testing.T) {
	d := NewDispatcher()
	g := Rand{Router: d}
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	xids := map[uint32]bool{}
	for range 100 {
		x := g.XID()
		if x == 0 || xids[x] {
			t.Fatalf("XID returned %d, zero or bound already", x)
		}
		xids[x] = true
		d.Bind(x, 1, hw, func(*dhcpv4.DHCPv4, error) {})
	}
	seen := map[int64]bool{}
	for range 1000 {
		v := g.Int63n(4)
		if v < 0 || v >= 4 {
			t.Fatalf("Int63n(4) = %d", v)
		}
		seen[v] = true
	}
	if len(seen) != 4 {
		t.Fatalf("Int63n(4) gave only %v in 1000 draws", seen)
	}
}
