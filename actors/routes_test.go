package actors

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/hostplan"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// startPrimary binds ifname as the primary interface.
func (w *world) startPrimary(ifname string) *ipc.Reply {
	w.t.Helper()
	ch := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: ifname, Args: map[string]string{ipc.ArgPrimary: "yes"}})
	d := w.send.next(w.t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(w.t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	return w.await(ch)
}

func TestTwoInterfacesTwoMetrics(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.startPrimary("eth0"); r.Error != "" {
		t.Fatalf("start eth0: %+v", r)
	}
	if r := w.bind("eth1", 120); r.Error != "" {
		t.Fatalf("start eth1: %+v", r)
	}
	c0, _ := w.net.LastApplied(2)
	c1, _ := w.net.LastApplied(3)
	if c0.Metric != hostplan.PrimaryMetric || c1.Metric != 1003 {
		t.Fatalf("metrics eth0 %d eth1 %d, want %d (primary) and 1003 (1000 + ifindex)", c0.Metric, c1.Metric, hostplan.PrimaryMetric)
	}
	// Dropping eth1 removes eth1's lease, and nothing of eth0's.
	w.do(ipc.CmdDrop, "eth1")
	_, removed := w.net.Snapshot()
	if len(removed) != 1 || removed[0].Ifindex != 3 {
		t.Fatalf("drop of eth1 removed %+v, want eth1's configuration only", removed)
	}
	if got := w.net.Withdrawn(); len(got) != 0 {
		t.Fatalf("routes withdrawn %+v, want none", got)
	}
}

func TestPrimaryMovesDefaultRoute(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	w.bind("eth1", 120)
	// start --primary on the bound eth1: its routes take the primary's
	// metric, and eth0's leave it.
	w.await(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth1", Args: map[string]string{ipc.ArgPrimary: "yes"}}))
	// The actor applies the new configuration, then withdraws the old
	// routes: wait for both, or the withdrawal may not have happened yet.
	waitFor(t, "eth0 re-applied with its own metric, its old routes withdrawn", func() bool {
		c, _ := w.net.LastApplied(2)
		return c.Metric == 1002 && slices.ContainsFunc(w.net.Withdrawn(), func(o kernel.AddrConfig) bool { return o.Ifindex == 2 })
	})
	c1, _ := w.net.LastApplied(3)
	if c1.Metric != hostplan.PrimaryMetric {
		t.Fatalf("eth1 metric %d after start --primary, want %d", c1.Metric, hostplan.PrimaryMetric)
	}
	got := w.net.Withdrawn()
	slices.SortFunc(got, func(a, b kernel.AddrConfig) int { return a.Ifindex - b.Ifindex })
	want := []kernel.AddrConfig{
		{Ifindex: 2, Addr: netip.MustParsePrefix("198.18.0.100/24"), Metric: hostplan.PrimaryMetric, Routes: []kernel.Route{defRoute}},
		{Ifindex: 3, Addr: netip.MustParsePrefix("198.18.1.100/24"), Metric: 1003, Routes: []kernel.Route{defRoute}},
	}
	if diff := cmp.Diff(want, got, cmpNetip); diff != "" {
		t.Fatalf("withdrawn (-want +got):\n%s", diff)
	}
}

func TestRouteMetricAndTable(t *testing.T) {
	w := newWorld(t, fast+"eth0.ROUTE_METRIC=7\neth0.ROUTE_TABLE=auto\neth1.ROUTE_TABLE=50\n")
	w.bind("eth0", 120)
	w.bind("eth1", 120)
	c0, _ := w.net.LastApplied(2)
	c1, _ := w.net.LastApplied(3)
	subnet0 := kernel.Route{Dst: netip.MustParsePrefix("198.18.0.0/24")}
	subnet1 := kernel.Route{Dst: netip.MustParsePrefix("198.18.1.0/24")}
	if c0.Metric != 7 || c0.Table != 1002 || !cmp.Equal(c0.Routes, []kernel.Route{subnet0, defRoute}, cmpNetip) {
		t.Fatalf("eth0 %+v, want metric 7, table 1002, the subnet and the default route", c0)
	}
	if c1.Metric != 1003 || c1.Table != 50 || !cmp.Equal(c1.Routes, []kernel.Route{subnet1, defRoute}, cmpNetip) {
		t.Fatalf("eth1 %+v, want metric 1003, table 50, the subnet and the default route", c1)
	}
}

// classless is option 121 with routes to dst via gw.
func classless(routes ...[2]string) dhcpv4.Modifier {
	var rs dhcpv4.Routes
	for _, r := range routes {
		_, dst, _ := net.ParseCIDR(r[0])
		rs = append(rs, &dhcpv4.Route{Dest: dst, Router: net.ParseIP(r[1]).To4()})
	}
	return dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(rs...))
}

func TestRenewalReplacesRoutesExactly(t *testing.T) {
	w := newWorld(t, fast+"# hooks\n")
	ch := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	first := classless([2]string{"0.0.0.0/0", "198.18.0.254"}, [2]string{"10.1.0.0/16", "198.18.0.2"})
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, first)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120, first)
	run := w.hooks.next(t)
	if !slices.Contains(run.env, "DHCP_ROUTERS=198.18.0.254") {
		t.Fatalf("BOUND hook env %v: want DHCP_ROUTERS of option 121's default route, not option 3's", run.env)
	}
	run.done(nil)
	w.await(ch)

	w.clock.Advance(62 * time.Second) // T1
	s := w.send.next(t)
	second := classless([2]string{"0.0.0.0/0", "198.18.0.254"}, [2]string{"10.2.0.0/16", "198.18.0.3"})
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120, second)
	if run := w.hooks.next(t); run.event != "EXTEND" {
		t.Fatalf("hook %s after the renewal, want EXTEND", run.event)
	} else {
		run.done(nil)
	}
	gw := netip.MustParseAddr("198.18.0.254")
	c, _ := w.net.LastApplied(2)
	want := []kernel.Route{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: gw},
		{Dst: netip.MustParsePrefix("10.2.0.0/16"), Gw: netip.MustParseAddr("198.18.0.3")}}
	if diff := cmp.Diff(want, c.Routes, cmpNetip); diff != "" {
		t.Fatalf("routes after the renewal (-want +got):\n%s", diff)
	}
	gone := []kernel.AddrConfig{{Ifindex: 2, Addr: netip.MustParsePrefix("198.18.0.100/24"), Metric: 1002,
		Routes: []kernel.Route{{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gw: netip.MustParseAddr("198.18.0.2")}}}}
	if diff := cmp.Diff(gone, w.net.Withdrawn(), cmpNetip); diff != "" {
		t.Fatalf("withdrawn (-want +got):\n%s", diff)
	}
}

// TestOfferOfAnotherInterfacesAddressRefused: an address another managed
// interface holds is refused inside the subnet the two share (SPEC §2
// Acquisition), also when the host's address list was read a moment
// before that interface bound (the conflict check's cache is not stale
// about what the agent itself applied).
func TestOfferOfAnotherInterfacesAddressRefused(t *testing.T) {
	w := newWorld(t, fast)
	// The host has a loopback address, so the list read at eth0's offer
	// is not empty and is cached.
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")})
	w.bind("eth0", 120) // 198.18.0.100 on eth0
	w.ask(0, ipc.CmdStart, "eth1")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100)))
	waitFor(t, "a bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth1").Status.BadOffers == 1 })
	w.send.none(t)
}

func TestSharedSubnetSurvivesKill(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	ch := w.ask(0, ipc.CmdStart, "eth1")
	d := w.send.next(t)
	other := dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101)) // eth0's subnet
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, other)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120, other)
	if rep := w.await(ch); rep.Error != "" || rep.Status.Address != "198.18.0.101" {
		t.Fatalf("eth1 start = %+v", rep)
	}
	w.kill()

	w2 := newWorldWith(t, fast, w.store, w.net)
	for range 2 {
		s := w2.send.next(t)
		want, yi := leased, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100))
		if s.ifindex == 3 {
			want, yi = netip.MustParseAddr("198.18.0.101"), other
		}
		if s.msg.MessageType() != dhcpv4.MessageTypeRequest || !s.msg.RequestedIPAddress().Equal(want.AsSlice()) ||
			s.msg.Options.Has(dhcpv4.OptionServerIdentifier) {
			t.Fatalf("on ifindex %d: %v, want an INIT-REBOOT REQUEST for %v", s.ifindex, s.msg.Summary(), want)
		}
		w2.serve(s.msg, dhcpv4.MessageTypeAck, 120, yi)
	}
	for _, name := range []string{"eth0", "eth1"} {
		waitFor(t, name+" BOUND again", func() bool { return w2.do(ipc.CmdStatus, name).Status.State == "BOUND" })
		if st := w2.do(ipc.CmdStatus, name).Status; st.BadOffers != 0 {
			t.Fatalf("%s refused its own lease after the restart: %+v", name, st)
		}
	}
	if _, removed := w2.net.Snapshot(); len(removed) != 0 {
		t.Fatalf("the restarted agent removed %+v", removed)
	}
}

// TestRestartWithdrawsRoutesOfTheLastIncarnation: after kill -9 the adopted
// lease counts as applied, so the INIT-REBOOT ACK withdraws the routes it
// no longer names, and a NAK removes the adopted address.
func TestRestartWithdrawsRoutesOfTheLastIncarnation(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.ask(0, ipc.CmdStart, "eth0")
	first := classless([2]string{"0.0.0.0/0", "198.18.0.254"}, [2]string{"10.1.0.0/16", "198.18.0.2"})
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, first)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120, first)
	w.await(ch)
	w.kill()

	w2 := newWorldWith(t, fast, w.store, w.net)
	s := w2.send.next(t)
	expectReboot(t, s)
	w2.serve(s.msg, dhcpv4.MessageTypeAck, 120, classless([2]string{"0.0.0.0/0", "198.18.0.254"}))
	waitFor(t, "the vanished route withdrawn", func() bool {
		for _, c := range w2.net.Withdrawn() {
			if len(c.Routes) == 1 && c.Routes[0].Dst == netip.MustParsePrefix("10.1.0.0/16") {
				return true
			}
		}
		return false
	})
	w2.kill()

	w3 := newWorldWith(t, fast, w.store, w.net)
	s = w3.send.next(t)
	expectReboot(t, s)
	w3.serve(s.msg, dhcpv4.MessageTypeNak, 0)
	expectType(t, w3.send.next(t), dhcpv4.MessageTypeDiscover)
	waitFor(t, "the adopted lease removed after the NAK", func() bool {
		_, removed := w3.net.Snapshot()
		return len(removed) == 1 && removed[0].Addr == netip.MustParsePrefix("198.18.0.100/24")
	})
}

// TestReloadMovesRoutes: a SIGHUP with a new ROUTE_METRIC re-applies the
// bound lease at once: its routes at the new metric, the old ones gone.
func TestReloadMovesRoutes(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	cfg, err := config.Parse("test.conf", strings.NewReader(fast+"ROUTE_METRIC=77\n"))
	if err != nil {
		t.Fatal(err)
	}
	w.env.Config.Store(cfg)
	w.system.Root.Send(w.mgr, &messages.Reconfigure{})
	waitFor(t, "the routes at metric 77, the old ones withdrawn", func() bool {
		c, _ := w.net.LastApplied(2)
		return c.Metric == 77 && len(w.net.Withdrawn()) == 1
	})
	if got := w.net.Withdrawn()[0]; got.Metric != 1002 || !cmp.Equal(got.Routes, []kernel.Route{defRoute}, cmpNetip) {
		t.Fatalf("withdrawn %+v, want the default route at 1002", got)
	}
}
