package kernel

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVanished(t *testing.T) {
	addr := netip.MustParsePrefix("198.18.0.100/24")
	def := Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: netip.MustParseAddr("198.18.0.1")}
	net1 := Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gw: netip.MustParseAddr("198.18.0.2")}
	net2 := Route{Dst: netip.MustParsePrefix("10.2.0.0/16"), Gw: netip.MustParseAddr("198.18.0.2")}
	base := AddrConfig{Ifindex: 2, Addr: addr, Metric: 1002, Routes: []Route{def, net1}}
	with := func(f func(*AddrConfig)) AddrConfig { c := base; f(&c); return c }
	for _, tc := range []struct {
		name   string
		next   AddrConfig
		routes []Route
		rule   bool
	}{
		{"same", base, nil, false},
		{"one route replaced", with(func(c *AddrConfig) { c.Routes = []Route{def, net2} }), []Route{net1}, false},
		{"metric moved", with(func(c *AddrConfig) { c.Metric = 100 }), []Route{def, net1}, false},
		{"into a table", with(func(c *AddrConfig) { c.Table = 1002 }), []Route{def, net1}, false},
		{"gateway changed", with(func(c *AddrConfig) {
			c.Routes = []Route{{Dst: def.Dst, Gw: netip.MustParseAddr("198.18.0.3")}, net1}
		}), []Route{def}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			routes, rule := Vanished(base, tc.next)
			if diff := cmp.Diff(tc.routes, routes, cmp.Comparer(func(a, b Route) bool { return a == b })); diff != "" || rule != tc.rule {
				t.Fatalf("routes (-want +got):\n%s\nrule %v, want %v", diff, rule, tc.rule)
			}
		})
	}
	inTable := with(func(c *AddrConfig) { c.Table = 50 })
	if _, rule := Vanished(inTable, inTable); rule {
		t.Error("an unchanged table's rule withdrawn")
	}
	if _, rule := Vanished(inTable, base); !rule {
		t.Error("the rule of a table left stays")
	}
	if _, rule := Vanished(inTable, with(func(c *AddrConfig) { c.Table = 51 })); !rule {
		t.Error("the rule of the old table stays after a move")
	}
}
