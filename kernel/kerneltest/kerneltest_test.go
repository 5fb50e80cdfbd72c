package kerneltest

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/dhcpagent/dhcpagent/kernel"
	"golang.org/x/sys/unix"
)

var (
	p100 = netip.MustParsePrefix("198.18.0.100/24")
	p101 = netip.MustParsePrefix("198.18.0.101/24")
	def  = kernel.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: netip.MustParseAddr("198.18.0.1")}
)

// TestAddresses: what is applied is in the address list and on its link
// until it is removed, and both are recorded in order.
func TestAddresses(t *testing.T) {
	var k Kernel
	own := kernel.IfAddr{Ifindex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")}
	k.SetAddrs(own)
	a := kernel.AddrConfig{Ifindex: 2, Addr: p100, Routes: []kernel.Route{def}}
	b := kernel.AddrConfig{Ifindex: 3, Addr: p101}
	for _, c := range []kernel.AddrConfig{a, b, a} {
		if err := k.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := k.Addrs()
	want := []kernel.IfAddr{own, {Ifindex: 2, Prefix: p100}, {Ifindex: 3, Prefix: p101}}
	if !slices.Equal(got, want) {
		t.Fatalf("Addrs = %v, want %v (an address applied twice is listed once)", got, want)
	}
	if present, _, _ := k.AddrFlags(2, p100); !present {
		t.Error("AddrFlags: the applied address is not on its link")
	}
	if present, _, _ := k.AddrFlags(3, p100); present {
		t.Error("AddrFlags: the address is on another link too")
	}
	if last, ok := k.LastApplied(2); !ok || last.Addr != p100 || len(last.Routes) != 1 {
		t.Errorf("LastApplied(2) = %+v, %v", last, ok)
	}
	if _, ok := k.LastApplied(9); ok {
		t.Error("LastApplied of a link never applied to")
	}
	if err := k.Remove(a); err != nil {
		t.Fatal(err)
	}
	got, _ = k.Addrs()
	if want := []kernel.IfAddr{own, {Ifindex: 3, Prefix: p101}}; !slices.Equal(got, want) {
		t.Fatalf("after Remove, Addrs = %v, want %v", got, want)
	}
	applied, removed := k.Snapshot()
	if len(applied) != 3 || applied[1].Ifindex != 3 || len(removed) != 1 || removed[0].Ifindex != 2 {
		t.Fatalf("Snapshot = %v, %v", applied, removed)
	}
}

// TestFail: the fail function sees each call with its arguments, and its
// error is the answer with nothing changed; nil restores success.
func TestFail(t *testing.T) {
	var k Kernel
	k.AddLink("eth0", kernel.LinkState{Index: 2})
	refused := unix.ENETUNREACH
	var calls []Call
	k.SetFail(func(c Call) error {
		calls = append(calls, c)
		if c.Ifindex == 2 || c.Name == "eth0" {
			return refused
		}
		return nil
	})
	a := kernel.AddrConfig{Ifindex: 2, Addr: p100}
	if err := k.Apply(a); !errors.Is(err, refused) {
		t.Fatalf("Apply = %v, want the fail function's error", err)
	}
	if err := k.SetUp(2, true); !errors.Is(err, refused) {
		t.Fatalf("SetUp = %v", err)
	}
	if err := k.SetIPv6("eth0", true); !errors.Is(err, refused) {
		t.Fatalf("SetIPv6 = %v", err)
	}
	if err := k.SetMTU(2, 9000); !errors.Is(err, refused) {
		t.Fatalf("SetMTU = %v", err)
	}
	if err := k.Apply(kernel.AddrConfig{Ifindex: 3, Addr: p101}); err != nil {
		t.Fatalf("Apply on another link = %v", err)
	}
	if len(calls) != 5 || calls[0].Op != "Apply" || calls[0].Config.Addr != p100 || calls[2].Op != "SetIPv6" || calls[2].Name != "eth0" {
		t.Fatalf("calls = %+v", calls)
	}
	if present, _, _ := k.AddrFlags(2, p100); present {
		t.Error("a refused Apply put the address on")
	}
	if _, set := k.IPv6("eth0"); set {
		t.Error("a refused SetIPv6 was recorded")
	}
	if applied, _ := k.Snapshot(); len(applied) != 1 || applied[0].Ifindex != 3 {
		t.Errorf("applied = %v, want only the one that succeeded", applied)
	}
	if _, err := k.State("eth0"); !errors.Is(err, refused) {
		t.Fatalf("State = %v", err)
	}
	k.SetFail(nil)
	if s, err := k.State("eth0"); err != nil || s.Up {
		t.Errorf("State = %+v, %v: a refused SetUp changed the link", s, err)
	}
	if m, _ := k.MTU(2); m != 1500 {
		t.Errorf("a refused SetMTU changed the MTU to %d", m)
	}
	if err := k.Apply(a); err != nil {
		t.Fatalf("Apply without a fail function = %v", err)
	}
}

// TestLinks: the links a test adds answer State, SetUp, SetIPv6 and MTU;
// an unknown one is kernel.ErrNoLink.
func TestLinks(t *testing.T) {
	var k Kernel
	k.AddLink("eth0", kernel.LinkState{Index: 2, Carrier: true})
	k.AddLink("lo", kernel.LinkState{Index: 1, Up: true, Loopback: true})
	if _, err := k.State("nosuch"); !errors.Is(err, kernel.ErrNoLink) {
		t.Fatalf("State(nosuch) = %v, want ErrNoLink", err)
	}
	if err := k.SetUp(2, true); err != nil {
		t.Fatal(err)
	}
	if s, _ := k.State("eth0"); !s.Up || !s.Carrier {
		t.Errorf("eth0 = %+v, want up with carrier", s)
	}
	if s, _ := k.State("lo"); !s.Up || !s.Loopback {
		t.Errorf("lo = %+v: SetUp of another index changed it", s)
	}
	if _, set := k.IPv6("eth0"); set {
		t.Error("IPv6 set before SetIPv6")
	}
	if err := k.SetIPv6("eth0", true); err != nil {
		t.Fatal(err)
	}
	if on, set := k.IPv6("eth0"); !on || !set {
		t.Errorf("IPv6(eth0) = %v, %v", on, set)
	}
	if m, _ := k.MTU(2); m != 1500 {
		t.Errorf("MTU before SetMTU = %d, want 1500", m)
	}
	if err := k.SetMTU(2, 1400); err != nil {
		t.Fatal(err)
	}
	if m, _ := k.MTU(2); m != 1400 {
		t.Errorf("MTU = %d, want 1400", m)
	}
}

// TestWithdrawn: Withdraw records what kernel.Vanished takes away, and
// nothing when nothing goes.
func TestWithdrawn(t *testing.T) {
	var k Kernel
	net1 := kernel.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Gw: netip.MustParseAddr("198.18.0.2")}
	old := kernel.AddrConfig{Ifindex: 2, Addr: p100, Metric: 1002, Routes: []kernel.Route{def, net1}}
	if err := k.Withdraw(old, old); err != nil {
		t.Fatal(err)
	}
	next := old
	next.Routes = []kernel.Route{def}
	if err := k.Withdraw(old, next); err != nil {
		t.Fatal(err)
	}
	w := k.Withdrawn()
	if len(w) != 1 || w[0].Metric != 1002 || !slices.Equal(w[0].Routes, []kernel.Route{net1}) {
		t.Fatalf("Withdrawn = %+v, want net1 alone", w)
	}
}

// TestFeed: a fed table starts as the list and follows every change before
// the call returns; a refused call changes nothing.
func TestFeed(t *testing.T) {
	k := &Kernel{}
	a := kernel.IfAddr{Ifindex: 2, Prefix: p100}
	b := kernel.IfAddr{Ifindex: 3, Prefix: p101}
	k.SetAddrs(a)
	var tab kernel.AddrTable
	k.Feed(&tab)
	want := func(addrs ...kernel.IfAddr) {
		t.Helper()
		if got := tab.List(); !slices.Equal(got, addrs) && !(len(got) == 0 && len(addrs) == 0) {
			t.Fatalf("fed table %v, want %v", got, addrs)
		}
	}
	want(a)
	if err := k.Apply(kernel.AddrConfig{Ifindex: 3, Addr: p101}); err != nil {
		t.Fatal(err)
	}
	want(a, b)
	if err := k.Remove(kernel.AddrConfig{Ifindex: 2, Addr: p100}); err != nil {
		t.Fatal(err)
	}
	want(b)
	k.SetFail(func(Call) error { return errors.New("refused") })
	_ = k.Remove(kernel.AddrConfig{Ifindex: 3, Addr: p101})
	want(b)
	k.SetFail(nil)
	k.SetAddrs()
	want()
}
