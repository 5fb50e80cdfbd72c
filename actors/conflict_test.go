package actors

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestAddrCache: the host's list is read at most once per addrCacheTTL,
// afresh after a failed kernel call and after the clock went back; what
// the agent adds and removes itself is in the copy at once.
func TestAddrCache(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	k := &kerneltest.Kernel{}
	reads := 0
	k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Addrs" {
			reads++
		}
		return nil
	})
	a := kernel.IfAddr{Ifindex: 2, Prefix: netip.MustParsePrefix("198.18.0.100/24")}
	b := kernel.IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.1.100/24")}
	k.SetAddrs(a)
	var c addrCache
	get := func(want int) {
		t.Helper()
		list, err := c.get(clock, k)
		if err != nil || len(list) != want {
			t.Fatalf("get = %v, %v; want %d addresses", list, err, want)
		}
	}
	get(1)
	k.SetAddrs(a, b)
	clock.Advance(addrCacheTTL - time.Millisecond)
	get(1) // still the copy
	if reads != 1 {
		t.Fatalf("%d reads within the TTL, want 1", reads)
	}
	clock.Advance(time.Millisecond)
	get(2)
	c.removed(b, nil)
	get(1)
	c.added(b, nil)
	c.added(b, nil)
	get(2)
	if reads != 2 {
		t.Fatalf("%d reads, want 2: the agent's own changes are in the copy", reads)
	}
	k.SetAddrs(a)
	c.added(b, errors.New("refused")) // the kernel's state is unknown now
	get(1)
	clock.now = clock.now.Add(-time.Minute) // set back
	k.SetAddrs(a, b)
	get(2)
	if reads != 4 {
		t.Fatalf("%d reads, want 4", reads)
	}
}

// TestManagedSet: add, has and remove by name, for every index of a name.
func TestManagedSet(t *testing.T) {
	var s managedSet
	if s.has(2) {
		t.Fatal("empty set has 2")
	}
	s.add(Link{Name: "eth0", Index: 2})
	s.add(Link{Name: "eth0", Index: 7}) // the link came back with another index
	s.add(Link{Name: "eth1", Index: 3})
	s.remove("eth0")
	if s.has(2) || s.has(7) || !s.has(3) {
		t.Fatalf("after remove(eth0): has(2)=%v has(7)=%v has(3)=%v", s.has(2), s.has(7), s.has(3))
	}
}

// The interfaces resumed at start-up read the host's address list once
// between them (adopting what is on their links), not once each.
func TestResumeSharesOneAddressDump(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.grant(w.ask(0, ipc.CmdStart, "eth1"), 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101)))
	w.kill()
	var mu sync.Mutex
	dumps := 0
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Addrs" {
			mu.Lock()
			dumps++
			mu.Unlock()
		}
		return nil
	})
	w2 := newWorldWith(t, fast, w.store, w.net)
	for range 2 {
		expectType(t, w2.send.next(t), dhcpv4.MessageTypeRequest) // INIT-REBOOT, adopted
	}
	mu.Lock()
	defer mu.Unlock()
	if dumps != 1 {
		t.Fatalf("%d address dumps for two resumed interfaces, want 1", dumps)
	}
}

// A static address an address object puts on a link is refused to a DHCP
// offer at once, not a cache lifetime later.
func TestOfferOfStaticAddressRefused(t *testing.T) {
	w := newWorld(t, fast)
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")})
	w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t) // the DISCOVER: the list is not read yet
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.5.5/24"); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	// An offer in another network reads the list (and caches it)...
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 7, 7)))
	r := w.send.next(t)
	expectType(t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeNak, 0)
	d = w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	// ...then the static address is taken off and put on again at once.
	if r := w.adm(ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth1/s"); r.Error != "" {
		t.Fatalf("delete-addr = %+v", r)
	}
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.0.100/24"); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120) // 198.18.0.100
	waitFor(t, "a bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.BadOffers == 1 })
	w.send.none(t)
}

// An address whose application is queued (the kernel slow to take it) is
// the host's already for every other interface's conflict check: a second
// interface offered it meanwhile refuses it.
func TestAddressBeingAppliedRefusedToAnother(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.startApplying("eth0", 2, 120) // 198.18.0.100 on its way to eth0
	w.ask(0, ipc.CmdStart, "eth1")
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100)))
	waitFor(t, "eth1's bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth1").Status.BadOffers == 1 })
	w.send.none(t)
	release()
	if r := w.await(start); r.Error != "" {
		t.Fatalf("start eth0 = %+v", r)
	}
}

// TestAddrCacheComing: an address expected is in the list until settled,
// however often the list is read again meanwhile; settled, the list says
// what the kernel said.
func TestAddrCacheComing(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	k := &kerneltest.Kernel{}
	b := kernel.IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.1.100/24")}
	var c addrCache
	c.expect(b)
	c.expect(b) // a renewal queued behind the first application
	for range 2 {
		if list, _ := c.get(clock, k); len(list) != 1 || list[0] != b {
			t.Fatalf("list %v with %v expected, want it", list, b)
		}
		clock.Advance(addrCacheTTL) // read afresh: the kernel has none yet
	}
	c.settle(b)
	if list, _ := c.get(clock, k); len(list) != 1 {
		t.Fatalf("list %v with one application of %v still queued, want it", list, b)
	}
	c.settle(b)
	if list, _ := c.get(clock, k); len(list) != 0 {
		t.Fatalf("list %v once settled, want the kernel's (none)", list)
	}
}
