package kernel

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	addrA = IfAddr{Ifindex: 2, Prefix: netip.MustParsePrefix("198.18.0.100/24")}
	addrB = IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.1.100/24")}
	addrC = IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.2.7/24")}
)

func wantList(t *testing.T, tab *AddrTable, want ...IfAddr) {
	t.Helper()
	sort := cmpopts.SortSlices(func(a, b IfAddr) bool { return a.Prefix.Addr().Less(b.Prefix.Addr()) })
	if diff := cmp.Diff(want, tab.List(), sort, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Fatalf("list (-want +got):\n%s", diff)
	}
}

// TestAddrTableFollowsEvents: a dump replaces the list; the kernel's
// events add and delete one address each (a repeated event changes
// nothing); the agent's own successful changes are in at once, its failed
// ones are not.
func TestAddrTableFollowsEvents(t *testing.T) {
	var tab AddrTable
	wantList(t, &tab)
	tab.Reset([]IfAddr{addrA})
	wantList(t, &tab, addrA)
	tab.Event(addrB, true)
	tab.Event(addrB, true)
	wantList(t, &tab, addrA, addrB)
	held := tab.List() // a reader's copy survives later changes
	tab.Event(addrA, false)
	tab.Event(addrA, false)
	wantList(t, &tab, addrB)
	if !slices.Contains(held, addrA) || len(held) != 2 {
		t.Fatalf("a list read before the deletion changed under its reader: %v", held)
	}
	tab.Added(addrC, errors.New("refused"))
	wantList(t, &tab, addrB)
	tab.Added(addrC, nil)
	wantList(t, &tab, addrB, addrC)
	tab.Removed(addrB, errors.New("refused"))
	wantList(t, &tab, addrB, addrC)
	tab.Removed(addrB, nil)
	wantList(t, &tab, addrC)
	tab.Reset(nil) // a resync after the watch was lost: what the kernel has
	wantList(t, &tab)
}

// TestAddrTableComing: an address expected is in the list until settled,
// whatever the dumps and events say meanwhile; settled, the list says
// what the kernel said.
func TestAddrTableComing(t *testing.T) {
	var tab AddrTable
	tab.Expect(addrB)
	tab.Expect(addrB) // a renewal queued behind the first application
	tab.Reset(nil)    // the kernel has none yet
	wantList(t, &tab, addrB)
	tab.Event(addrB, false)
	wantList(t, &tab, addrB)
	tab.Settle(addrB)
	wantList(t, &tab, addrB) // one application still queued
	tab.Settle(addrB)
	wantList(t, &tab)
	tab.Expect(addrA)
	tab.Event(addrA, true)
	tab.Settle(addrA)
	wantList(t, &tab, addrA)
}

// TestAddrTableFirstHolds: First is a link's first address, none for a
// link without; Holds asks for one address on one link, an expected one
// included.
func TestAddrTableFirstHolds(t *testing.T) {
	var tab AddrTable
	if _, ok := tab.First(2); ok {
		t.Fatal("First of an empty table found an address")
	}
	tab.Reset([]IfAddr{addrA, addrB, addrC})
	if p, ok := tab.First(3); !ok || p != addrB.Prefix {
		t.Fatalf("First(3) = %v, %v; want %v", p, ok, addrB.Prefix)
	}
	if _, ok := tab.First(4); ok {
		t.Fatal("First found an address on a link without one")
	}
	other := IfAddr{Ifindex: 2, Prefix: addrC.Prefix} // addrC's address on another link
	if !tab.Holds(addrC) || tab.Holds(other) {
		t.Fatalf("Holds(%v) = %v, Holds(%v) = %v; want true, false", addrC, tab.Holds(addrC), other, tab.Holds(other))
	}
	tab.Expect(other)
	if !tab.Holds(other) {
		t.Fatal("an address expected is not held")
	}
}

// TestAddrTableReadsCopyNothing: with addresses being applied (a
// thousand interfaces binding at once), a read neither copies the list
// nor searches it once per address expected: the conflict check runs in
// every offer's Receive. A change is seen by the next read.
func TestAddrTableReadsCopyNothing(t *testing.T) {
	var tab AddrTable
	var list []IfAddr
	for i := range 1000 {
		list = append(list, IfAddr{Ifindex: 10 + i, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}), 16)})
		tab.Manage(10+i, "eth")
	}
	tab.Reset(list)
	for i := range 100 {
		tab.Expect(IfAddr{Ifindex: 2000 + i, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, 0, byte(i)}), 24)})
	}
	offered := netip.MustParseAddr("198.18.200.1")
	if n := testing.AllocsPerRun(100, func() { tab.List(); tab.Conflicts(3, offered) }); n != 0 {
		t.Fatalf("a read allocates %v times, want 0", n)
	}
	if tab.Conflicts(3, offered) || len(tab.List()) != 1100 {
		t.Fatalf("conflict %v, %d addresses; want none, 1100", tab.Conflicts(3, offered), len(tab.List()))
	}
	tab.Expect(IfAddr{Ifindex: 4, Prefix: netip.PrefixFrom(offered, 24)})
	if !tab.Conflicts(3, offered) {
		t.Fatal("an address expected after a read is not seen by the next")
	}
	tab.Settle(IfAddr{Ifindex: 4, Prefix: netip.PrefixFrom(offered, 24)})
	tab.Event(IfAddr{Ifindex: 5, Prefix: netip.PrefixFrom(netip.MustParseAddr("198.18.200.1"), 24)}, true)
	if !tab.Conflicts(3, offered) || len(tab.List()) != 1101 {
		t.Fatalf("an event after a read: conflict %v, %d addresses; want one, 1101", tab.Conflicts(3, offered), len(tab.List()))
	}
}

// TestAddrTableSettleUnexpected: the zero table is ready for Settle too:
// a Settle with no Expect before it changes nothing (it panicked on the
// zero table's nil map).
func TestAddrTableSettleUnexpected(t *testing.T) {
	var tab AddrTable
	tab.Settle(addrA)
	wantList(t, &tab)
	tab.Expect(addrB)
	tab.Settle(addrA)
	wantList(t, &tab, addrB)
	tab.Settle(addrB)
	wantList(t, &tab)
}
