package actors

import (
	"net/netip"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
)

// TestAddrCache: the host's list is read at most once per addrCacheTTL,
// afresh after changed() and after the clock went back.
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
	k.SetAddrs(a)
	c.changed()
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
