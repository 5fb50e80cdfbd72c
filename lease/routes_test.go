package lease

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestDestinationProblem(t *testing.T) {
	for _, tc := range []struct {
		dst string
		bad bool
	}{
		{"0.0.0.0/0", false},
		{"0.0.0.0/1", false},   // half of everything: holds 0/8 but is not in it
		{"128.0.0.0/1", false}, // holds 224/4 and 240/4 likewise
		{"198.19.0.0/16", false},
		{"0.0.0.0/8", true},
		{"0.1.0.0/16", true},
		{"127.0.0.0/8", true},
		{"127.0.0.1/32", true},
		{"224.0.0.0/4", true},
		{"239.1.2.0/24", true},
		{"240.0.0.0/4", true},
		{"250.0.0.0/8", true},
		{"255.255.255.255/32", true},
	} {
		if got := destinationProblem(netip.MustParsePrefix(tc.dst)); (got != "") != tc.bad {
			t.Errorf("%s: %q, want bad=%v", tc.dst, got, tc.bad)
		}
	}
}

func TestGatewayProblem(t *testing.T) {
	own := netip.MustParsePrefix("198.18.0.100/24")
	for _, tc := range []struct {
		gw  string
		bad bool
	}{
		{"198.18.0.1", false},
		{"198.19.7.1", false}, // outside the subnet: installed on-link (RFC 3442 §3)
		{"198.18.0.100", true},
		{"198.18.0.0", true},
		{"198.18.0.255", true},
		{"127.0.0.1", true},
		{"0.0.0.7", true},
		{"224.0.0.1", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
	} {
		if got := gatewayProblem(netip.MustParseAddr(tc.gw), own); (got != "") != tc.bad {
			t.Errorf("%s: %q, want bad=%v", tc.gw, got, tc.bad)
		}
	}
	if got := gatewayProblem(mustAddr("198.18.0.255"), netip.MustParsePrefix("198.18.0.254/31")); got != "" {
		t.Errorf("a /31 has no broadcast address (RFC 3021), yet: %q", got)
	}
}

func route(dst, gw string) *dhcpv4.Route {
	return &dhcpv4.Route{Dest: mustNet(dst), Router: net.ParseIP(gw)}
}

// TestRouteValidation: each junk route of 121 is left out with a problem
// and the good ones kept; a malformed 121, or one with nothing usable,
// falls back to option 3 (never "no routes at all"); a router of option 3
// that is our own address is skipped for the next. A gateway that is an
// address the host has on one of its interfaces is left out the same way
// (ReasonHostGateway); the leased address itself is never asked about.
func TestRouteValidation(t *testing.T) {
	host := mustAddr("198.19.5.1") // another interface's address
	def := func(gw string) Route { return Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: mustAddr(gw)} }
	junk := []*dhcpv4.Route{
		route("127.0.0.0/8", "198.18.0.1"),
		route("224.0.0.0/4", "198.18.0.1"),
		route("255.255.255.255/32", "198.18.0.1"),
		route("240.0.0.0/4", "198.18.0.1"),
		route("0.1.0.0/16", "198.18.0.1"),
		route("0.0.0.0/0", "198.18.0.100"), // a default via our own address
		route("198.21.0.0/16", "127.0.0.1"),
		route("198.22.0.0/16", "198.18.0.255"),
	}
	kept := route("198.19.0.0/16", "198.18.0.1")
	r254 := dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 254)))
	for _, tc := range []struct {
		name  string
		mods  []dhcpv4.Modifier
		want  []Route
		probs []Reason
	}{
		{"junk skipped, good kept", []dhcpv4.Modifier{r254, dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(append(junk, kept)...))},
			[]Route{{Dst: netip.MustParsePrefix("198.19.0.0/16"), Gw: mustAddr("198.18.0.1")}},
			[]Reason{ReasonBadRoute, ReasonBadRoute, ReasonBadRoute, ReasonBadRoute, ReasonBadRoute, ReasonBadRoute, ReasonBadRoute, ReasonBadRoute}},
		{"nothing usable: option 3", []dhcpv4.Modifier{r254, dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(junk[:2]...))},
			[]Route{def("198.18.0.254")}, []Reason{ReasonBadRoute, ReasonBadRoute, ReasonBadRoutes}},
		{"mask over 32: option 3", []dhcpv4.Modifier{r254, dhcpv4.WithGeneric(dhcpv4.OptionClasslessStaticRoute, []byte{33, 198, 19, 0, 0, 198, 18, 0, 1})},
			[]Route{def("198.18.0.254")}, []Reason{ReasonBadRoutes}},
		{"truncated: option 3", []dhcpv4.Modifier{r254, dhcpv4.WithGeneric(dhcpv4.OptionClasslessStaticRoute, []byte{16, 198, 19, 198, 18, 0})},
			[]Route{def("198.18.0.254")}, []Reason{ReasonBadRoutes}},
		{"own address as router: the next one", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 100), net.IPv4(198, 18, 0, 2)))},
			[]Route{def("198.18.0.2")}, []Reason{ReasonBadRoute}},
		{"only junk routers: none", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 100), net.IPv4(224, 0, 0, 1)))},
			nil, []Reason{ReasonBadRoute, ReasonBadRoute}},
		// 198.19.5.1 is another interface's address (HostAddress).
		{"121: that route left out", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(
			route("0.0.0.0/0", "198.19.5.1"), route("198.20.0.0/16", "198.18.0.1")))},
			[]Route{{Dst: netip.MustParsePrefix("198.20.0.0/16"), Gw: mustAddr("198.18.0.1")}},
			[]Reason{ReasonHostGateway}},
		{"121: only that route: option 3", []dhcpv4.Modifier{
			dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 254))),
			dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(route("0.0.0.0/0", "198.19.5.1")))},
			[]Route{def("198.18.0.254")}, []Reason{ReasonHostGateway, ReasonBadRoutes}},
		{"option 3: the next router", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 19, 5, 1), net.IPv4(198, 18, 0, 2)))},
			[]Route{def("198.18.0.2")}, []Reason{ReasonHostGateway}},
		{"on-link route: no gateway to check", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(route("198.21.0.0/16", "0.0.0.0")))},
			[]Route{{Dst: netip.MustParsePrefix("198.21.0.0/16")}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked []netip.Addr
			cfg := Config{HWAddr: hw, HostAddress: func(a netip.Addr) bool { asked = append(asked, a); return a == host }}
			l, probs := cfg.grant(reply(dhcpv4.MessageTypeAck, 1, append(good(), tc.mods...)...), t0)
			if diff := cmp.Diff(tc.want, l.Routes, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
			var got []Reason
			for _, p := range probs {
				switch {
				case p.detail == "":
					t.Errorf("problem %v without a detail", p.reason)
				case p.reason == ReasonHostGateway && !strings.Contains(p.detail, "198.19.5.1 is an address of this host"):
					t.Errorf("detail %q does not name the gateway", p.detail)
				}
				got = append(got, p.reason)
			}
			if diff := cmp.Diff(tc.probs, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if slices.Contains(asked, mustAddr("198.18.0.100")) {
				t.Errorf("asked about the leased address itself: %v", asked)
			}
		})
	}
}

// TestBadRoutesRefused: the machine binds the lease with its good routes
// and reports each route it left out, with the server and the reason, in
// status and in the counters (a junk destination; a gateway that is
// another interface's address).
func TestBadRoutesRefused(t *testing.T) {
	for _, tc := range []struct {
		routes  []*dhcpv4.Route
		applied string
		reason  Reason
		detail  string
	}{
		{[]*dhcpv4.Route{route("127.0.0.0/8", "198.18.0.1"), route("0.0.0.0/0", "198.18.0.1")}, "0.0.0.0/0>198.18.0.1",
			ReasonBadRoute, "ACK from 198.18.0.1: option 121: destination 127.0.0.0/8 is loopback"},
		{[]*dhcpv4.Route{route("0.0.0.0/0", "198.19.5.1"), route("198.20.0.0/16", "198.18.0.1")}, "198.20.0.0/16>198.18.0.1",
			ReasonHostGateway, "ACK from 198.18.0.1: option 121: route to 0.0.0.0/0: gateway 198.19.5.1 is an address of this host"},
	} {
		cfg := Config{HWAddr: hw, MaxMessageSize: 1500, HostAddress: func(a netip.Addr) bool { return a == mustAddr("198.19.5.1") }}
		m := New(cfg, &fakeRand{})
		run(t, m, then(acquire[:2], step{600 * time.Millisecond, ack(1, dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(tc.routes...))), []string{
			"refused " + tc.reason.String(), "stop retransmit", "apply 198.18.0.100/24 routes=[" + tc.applied + "] lease=2m0s began=500ms",
			"REQUESTING->BOUND", "notify BOUND", "arm renew at 1m0.5s", "arm rebind at 1m45.5s", "arm expire at 2m0.5s"}}))
		if got := m.Refusals(); len(got) != 1 || got[0].Reason != tc.reason || got[0].Detail != tc.detail {
			t.Errorf("refusals %+v, want one %v: %q", got, tc.reason, tc.detail)
		}
		if n := m.Status().Counters.Refused[tc.reason]; n != 1 {
			t.Errorf("%v counted %d times, want 1", tc.reason, n)
		}
	}
	if ReasonHostGateway.String() != "gateway_on_host" {
		t.Errorf("ReasonHostGateway's metric name is %q", ReasonHostGateway)
	}
}

// TestServerIDMismatch: SPEC §2, an ACK whose server id is not the one
// the REQUEST named is ignored, the right server's ACK still binds; while
// renewing, only the lease's server may answer; while rebinding, any.
func TestServerIDMismatch(t *testing.T) {
	other := dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 18, 0, 9)))
	m := newMachine(&fakeRand{})
	run(t, m, then(acquire[:2],
		step{550 * time.Millisecond, ack(1, other), []string{"refused server_id_mismatch"}},
		acquire[2]))
	if st := m.Status(); st.Counters.Ignored != 1 || st.Counters.Refused[ReasonServerMismatch] != 1 {
		t.Fatalf("counters %+v, want 1 ignored for server_id_mismatch", st.Counters)
	}
	run(t, m, []step{
		{60500 * time.Millisecond, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 1m23s"}},
		{61 * time.Second, ack(2, other), []string{"refused server_id_mismatch"}},
	})
	if st := m.Status(); st.State != Renewing || st.Lease.Server != mustAddr("198.18.0.1") {
		t.Fatalf("status %+v: another server's ACK was taken while renewing", st)
	}
	m.Handle(t0.Add(105500*time.Millisecond), Timeout{Rebind})
	m.Handle(t0.Add(106*time.Second), ack(3, other))
	if st := m.Status(); st.State != Bound || st.Lease.Server != mustAddr("198.18.0.9") {
		t.Fatalf("status %+v: a rebinding ACK from another server must be taken", st)
	}
}
