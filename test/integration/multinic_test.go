//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startNIC runs `agentctl start NAME --wait 10 [--primary]` and requires
// BOUND with an address of nic's subnet.
func startNIC(t *testing.T, lab *Lab, nic NIC, primary bool) fullStatus {
	t.Helper()
	args := []string{"start", nic.Name, "--wait", svBindWait}
	if primary {
		args = append(args, "--primary")
	}
	var st fullStatus
	if err := lab.CtlJSON(&st, args...); err != nil {
		t.Fatalf("start %s: %v", nic.Name, err)
	}
	if st.State != "BOUND" || !nic.Subnet.Contains(st.addr()) {
		t.Fatalf("start %s answered %+v, want BOUND in %v", nic.Name, st, nic.Subnet)
	}
	return st
}

// labNIC is the lab's own ClientIface as a NIC.
func labNIC() NIC {
	return NIC{Name: ClientIface, Peer: ServerIface, Subnet: labSubnet, Router: netip.MustParseAddr(router)}
}

// defaultsOf returns the default routes of the main table through dev.
func defaultsOf(lab *Lab, dev string) []Route {
	var out []Route
	for _, r := range lab.routes("dev", dev) {
		if r.Dst.Bits() == 0 {
			out = append(out, r)
		}
	}
	return out
}

// ifindex returns the index of dev in the client namespace.
func ifindex(t *testing.T, lab *Lab, dev string) int {
	t.Helper()
	var links []struct {
		Index int `json:"ifindex"`
	}
	lab.ipJSON(&links, "link", "show", "dev", dev)
	if len(links) != 1 {
		t.Fatalf("ip link show %s: %d links", dev, len(links))
	}
	return links[0].Index
}

// wantDefault checks that dev has exactly one default route, through its
// router, with protocol dhcp and the given metric.
func wantDefault(t *testing.T, lab *Lab, nic NIC, metric int) {
	t.Helper()
	got := defaultsOf(lab, nic.Name)
	if len(got) != 1 || got[0].Gateway != nic.Router || got[0].Protocol != "dhcp" || got[0].Metric != metric {
		t.Fatalf("default routes of %s %+v, want one via %v, proto dhcp, metric %d", nic.Name, got, nic.Router, metric)
	}
}

// TestThreeNICsDefaultRoutes: three DHCP interfaces on three subnets keep
// three default routes, with distinct metrics and the primary's preferred;
// start --primary elsewhere moves the preference; release and drop of one
// never touch the others' routes (SPEC §2 "Several interfaces on one
// host").
func TestThreeNICsDefaultRoutes(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind, Subnets: 2})
		nics := append([]NIC{labNIC()}, lab.Options().NICs()...)
		startNIC(t, lab, nics[0], true)
		startNIC(t, lab, nics[1], false)
		startNIC(t, lab, nics[2], false)
		own := func(n NIC) int { return 1000 + ifindex(t, lab, n.Name) }
		wantDefault(t, lab, nics[0], 100)
		wantDefault(t, lab, nics[1], own(nics[1]))
		wantDefault(t, lab, nics[2], own(nics[2]))
		if out, err := lab.ClientExec("ip", "-4", "route", "get", "203.0.113.9"); err != nil || !strings.Contains(out, "dev "+ClientIface) {
			t.Fatalf("route to the internet %q (%v), want through the primary %s", out, err, ClientIface)
		}

		// The preference moves with start --primary, which on a bound
		// interface answers RUNNING and still makes it the primary one.
		if _, err := lab.Ctl("start", nics[1].Name, "--primary"); err != nil && !strings.Contains(err.Error(), "RUNNING") {
			t.Fatalf("start --primary %s: %v", nics[1].Name, err)
		}
		waitUntil(t, 5*time.Second, "the old primary's routes at its own metric", func() error {
			if got := defaultsOf(lab, nics[0].Name); len(got) != 1 || got[0].Metric != own(nics[0]) {
				return fmt.Errorf("default routes of %s: %+v", nics[0].Name, got)
			}
			return nil
		})
		wantDefault(t, lab, nics[1], 100)
		wantDefault(t, lab, nics[2], own(nics[2]))
		if out, err := lab.ClientExec("ip", "-4", "route", "get", "203.0.113.9"); err != nil || !strings.Contains(out, "dev "+nics[1].Name) {
			t.Fatalf("route to the internet %q (%v), want through the new primary %s", out, err, nics[1].Name)
		}

		// Releasing one and dropping another leave the third's alone.
		if _, err := lab.Ctl("release", nics[2].Name); err != nil {
			t.Fatalf("release: %v", err)
		}
		if got := defaultsOf(lab, nics[2].Name); len(got) != 0 {
			t.Fatalf("default routes of the released %s: %+v", nics[2].Name, got)
		}
		wantDefault(t, lab, nics[0], own(nics[0]))
		wantDefault(t, lab, nics[1], 100)
		if _, err := lab.Ctl("drop", nics[1].Name); err != nil {
			t.Fatalf("drop: %v", err)
		}
		if got := defaultsOf(lab, nics[1].Name); len(got) != 0 {
			t.Fatalf("default routes of the dropped %s: %+v", nics[1].Name, got)
		}
		wantDefault(t, lab, nics[0], own(nics[0]))
	})
}

// TestRouteTableAuto: ROUTE_TABLE=auto puts an interface's routes in table
// 1000 + ifindex with a rule from its address, so that what leaves from
// that address goes out through that interface even though the primary
// holds the main table's preferred default route.
func TestRouteTableAuto(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		nic := SubnetNIC(1)
		lab := newLab(t, LabOptions{Server: kind, Subnets: 1, AgentConfig: nic.Name + ".ROUTE_TABLE=auto\n"})
		startNIC(t, lab, labNIC(), true)
		st := startNIC(t, lab, nic, false)
		table := fmt.Sprint(1000 + ifindex(t, lab, nic.Name))
		if got := defaultsOf(lab, nic.Name); len(got) != 0 {
			t.Fatalf("main table has default routes of %s: %+v", nic.Name, got)
		}
		var subnet, def bool
		for _, r := range lab.routes("table", table) {
			subnet = subnet || r.Dst == nic.Subnet && !r.Gateway.IsValid()
			def = def || r.Dst.Bits() == 0 && r.Gateway == nic.Router && r.Protocol == "dhcp"
		}
		if !subnet || !def {
			t.Fatalf("table %s: %+v, want the subnet and a default route via %v", table, lab.routes("table", table), nic.Router)
		}
		rules, err := lab.ClientExec("ip", "-4", "rule", "show")
		if want := fmt.Sprintf("from %s lookup %s", st.Address, table); err != nil || !strings.Contains(rules, want) {
			t.Fatalf("rules %q (%v), want %q", rules, err, want)
		}
		out, err := lab.ClientExec("ip", "-4", "route", "get", "203.0.113.9", "from", st.Address)
		if err != nil || !strings.Contains(out, "dev "+nic.Name) || !strings.Contains(out, "via "+nic.Router.String()) {
			t.Fatalf("a reply from %s leaves %q (%v), want through %s via %v", st.Address, out, err, nic.Name, nic.Router)
		}
		// A request from beyond the router reaches the address through nic;
		// the reply must leave through nic too: the server's strict
		// reverse-path filter drops it on the other link. Without the rule
		// (the control) it leaves by the primary's default route and is lost.
		remote := "203.0.113.5"
		for _, c := range [][]string{
			{"-n", lab.ServerNS, "addr", "add", remote + "/32", "dev", "lo"},
			{"netns", "exec", lab.ServerNS, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1"},
			{"netns", "exec", lab.ServerNS, "sysctl", "-qw", "net.ipv4.conf." + ServerIface + ".rp_filter=1"},
		} {
			lab.ip(c...)
		}
		ping := func() error {
			_, err := lab.ServerExec("busybox", "ping", "-c", "1", "-W", "2", "-I", remote, st.Address)
			return err
		}
		if err := ping(); err != nil {
			t.Fatalf("a ping from %s to %s got no reply: %v", remote, st.Address, err)
		}
		lab.ip("-n", lab.ClientNS, "rule", "del", "from", st.Address, "lookup", table)
		if err := ping(); err == nil {
			t.Fatal("control: without the rule the reply still came back")
		}
		lab.ip("-n", lab.ClientNS, "rule", "add", "from", st.Address, "lookup", table, "priority", "30000")

		// Dropped, the interface takes its rule and table routes along.
		if _, err := lab.Ctl("drop", nic.Name); err != nil {
			t.Fatalf("drop: %v", err)
		}
		if rules, _ := lab.ClientExec("ip", "-4", "rule", "show"); strings.Contains(rules, "lookup "+table) {
			t.Fatalf("rules after drop: %q", rules)
		}
		if got := lab.routes("table", table); len(got) != 0 {
			t.Fatalf("table %s after drop: %+v", table, got)
		}
		wantDefault(t, lab, labNIC(), 100)
	})
}

// TestRenewalReplacesClasslessRoutes: an extension whose ACK brings a
// different option 121 leaves exactly the new routes (SPEC §2), and the
// hook is told the router of the default route option 121 installed.
func TestRenewalReplacesClasslessRoutes(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		gw := netip.MustParseAddr("198.18.0.254")
		first := []ClasslessRoute{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: gw},
			{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gw: netip.MustParseAddr("198.18.0.2")}}
		gw2 := netip.MustParseAddr("198.18.0.253")
		second := []ClasslessRoute{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: gw2},
			{Dst: netip.MustParsePrefix("10.2.0.0/16"), Gw: netip.MustParseAddr("198.18.0.3")}}
		dir := t.TempDir()
		hook, hookLog := filepath.Join(dir, "eventhook"), filepath.Join(dir, "hook.log")
		if err := os.WriteFile(hook, []byte("#!/bin/sh\necho \"$2 $DHCP_ROUTERS\" >>"+hookLog+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		lab := newLab(t, LabOptions{Server: kind, ClasslessRoutes: first, AgentArgs: []string{"--hook", hook}})
		startNIC(t, lab, labNIC(), true)
		wantRoutes := func(want []ClasslessRoute) error {
			var got []string
			for _, r := range lab.ClientRoutes() {
				if r.Protocol == "dhcp" {
					got = append(got, r.Dst.String()+" via "+r.Gateway.String())
				}
			}
			var w []string
			for _, r := range want {
				w = append(w, r.Dst.String()+" via "+r.Gw.String())
			}
			if strings.Join(got, ", ") != strings.Join(w, ", ") {
				return fmt.Errorf("routes %v, want %v", got, w)
			}
			return nil
		}
		if err := wantRoutes(first); err != nil {
			t.Fatal(err)
		}
		lab.RestartServer(func(o *LabOptions) { o.ClasslessRoutes = second })
		if _, err := lab.Ctl("extend", ClientIface); err != nil {
			t.Fatalf("extend: %v", err)
		}
		if err := wantRoutes(second); err != nil {
			t.Fatalf("after the renewal: %v", err)
		}
		// Option 3 names the lab's router; the hook is told option 121's.
		want := fmt.Sprintf("BOUND %v\nEXTEND %v\n", gw, gw2)
		waitFile(t, hookLog, "the hook's routers", func(s string) bool { return s == want })
	})
}

// TestTwoNICsOneSubnetSurviveKill: two NICs on one segment (a bridge in
// the server namespace) both bind; after kill -9 and a restart both are
// BOUND again with the same addresses, neither address ever left its link,
// and the server holds exactly two leases (SPEC §2: a subnet another
// managed interface uses is no conflict; every stored lease is adopted).
func TestTwoNICsOneSubnetSurviveKill(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind, SharedNICs: 1})
		nics := []NIC{labNIC(), SharedNIC(1)}
		a := startNIC(t, lab, nics[0], true)
		b := startNIC(t, lab, nics[1], false)
		if a.addr() == b.addr() {
			t.Fatalf("both NICs got %v", a.addr())
		}
		wantDefault(t, lab, nics[0], 100)
		wantDefault(t, lab, nics[1], 1000+ifindex(t, lab, nics[1].Name))
		watches := []*svAddrWatch{lab.svWatchAddr(nics[0].Name, a.addr()), lab.svWatchAddr(nics[1].Name, b.addr())}

		lab.KillAgent()
		lab.StartAgent()
		for i, nic := range nics {
			want := []fullStatus{a, b}[i].addr()
			waitUntil(t, 15*time.Second, nic.Name+" BOUND again", func() error {
				var st fullStatus
				if err := lab.CtlJSON(&st, "status", nic.Name); err != nil {
					return err
				}
				if st.State != "BOUND" || st.addr() != want || st.BadOffers != 0 {
					return fmt.Errorf("status %+v, want BOUND with %v and no bad offers", st, want)
				}
				return nil
			})
		}
		// Watched a while longer than the restart takes, so that a late
		// removal would be seen too.
		for _, w := range watches {
			waitUntil(t, 5*time.Second, "100 polls of the address watch", func() error {
				w.mu.Lock()
				defer w.mu.Unlock()
				if w.polls < 100 {
					return fmt.Errorf("%d polls", w.polls)
				}
				return nil
			})
			w.check(t)
		}
		if leases := lab.ServerLeases(); len(leases) != 2 {
			t.Fatalf("server leases %+v, want exactly two", leases)
		}
		wantDefault(t, lab, nics[0], 100)
		wantDefault(t, lab, nics[1], 1000+ifindex(t, lab, nics[1].Name))
	})
}

// TestExpiryOfOneNICLeavesTheOther: one interface's lease expires (its
// server's link gone) while the other renews: the expired one loses its
// address and routes, the other keeps its own (SPEC §2).
func TestExpiryOfOneNICLeavesTheOther(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Kea, Subnets: 1, LeaseTime: 16 * time.Second})
	nic := SubnetNIC(1)
	a := startNIC(t, lab, labNIC(), true)
	b := startNIC(t, lab, nic, false)
	lab.ip("-n", lab.ServerNS, "link", "set", nic.Peer, "down")
	waitUntil(t, 30*time.Second, nic.Name+"'s lease expired", func() error {
		if lab.clientHas(nic.Name, b.addr()) || len(defaultsOf(lab, nic.Name)) != 0 {
			return fmt.Errorf("%s still has %v or its default route", nic.Name, b.addr())
		}
		return nil
	})
	if !lab.ClientHasAddr(a.addr()) {
		t.Fatalf("%s lost %v when %s's lease expired", ClientIface, a.addr(), nic.Name)
	}
	wantDefault(t, lab, labNIC(), 100)
	// With 16 s leases the survivor renews every 8 s: a status taken
	// during that exchange reads RENEWING, so wait for BOUND (briefly).
	waitUntil(t, 5*time.Second, ClientIface+" BOUND after the other's expiry", func() error {
		var st fullStatus
		if err := lab.CtlJSON(&st, "status", ClientIface); err != nil || st.State != "BOUND" {
			return fmt.Errorf("%+v %v", st, err)
		}
		return nil
	})
	if !strings.Contains(lab.AgentLog(), `"iface":"`+nic.Name+`","event":"EXPIRE"`) {
		t.Errorf("no EXPIRE event of %s in the log", nic.Name)
	}
}

// clientHas reports whether dev has addr in the client namespace.
func (l *Lab) clientHas(dev string, addr netip.Addr) bool {
	out, err := l.ClientExec("ip", "-4", "-o", "addr", "show", "dev", dev)
	return err == nil && strings.Contains(out, " "+addr.String()+"/")
}
