package actors

import (
	"net"
	"net/netip"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestRouteViaHostAddressLeftOut: a router (option 3) that is an address
// another interface of the host has never reaches the kernel: the lease's
// default route goes via the next router, and status says why the first
// was left out (gateway_on_host).
func TestRouteViaHostAddressLeftOut(t *testing.T) {
	w := newWorld(t, fast)
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.5.5/24")})
	routers := dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 5, 5), serverIP))
	if r := w.grant(w.ask(0, ipc.CmdStart, "eth0"), 120, routers); r.Error != "" {
		t.Fatalf("start: %+v", r)
	}
	c, _ := w.net.LastApplied(2)
	if diff := cmp.Diff([]kernel.Route{defRoute}, c.Routes, cmpNetip); diff != "" {
		t.Errorf("routes applied (-want +got):\n%s", diff)
	}
	st := w.do(ipc.CmdStatus, "eth0").Status
	if len(st.Refusals) != 1 || st.Refusals[0].Reason != "gateway_on_host" || st.Refusals[0].Detail == "" {
		t.Fatalf("refusals %+v, want one gateway_on_host", st.Refusals)
	}
}
