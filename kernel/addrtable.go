package kernel

import (
	"net/netip"
	"slices"
	"sync"
)

// AddrTable is the host's IPv4 address list held in memory for the
// conflict check (SPEC §2 "Several interfaces on one host"): every offer,
// every route's gateway and every interface's look at its own link reads
// it, a thousand interfaces at once, inside an actor's Receive, so a read
// never asks the kernel. It is kept current by the kernel's address events
// (Event) and a full dump when the watch begins or was lost (Reset); the
// agent's own changes are in it as soon as the kernel call returns (Added,
// Removed), before their events come.
//
// The zero value is an empty table, ready for use; it is safe for
// concurrent use.
type AddrTable struct {
	mu   sync.Mutex
	list []IfAddr // replaced, never changed in place: readers keep theirs
	// coming are the addresses of leases handed to a kernel worker and
	// not on the interface yet, by how many applications of each are
	// queued: the conflict check counts them as the host's already, or
	// another interface offered one of them meanwhile would take it too.
	coming map[IfAddr]int
	// all is list with coming, what the reads see: built by the first read
	// after a change (nil: to be built), so that a read, a thousand
	// interfaces' offers at once, neither copies nor searches the list.
	all []IfAddr
	// managed are the links under the agent's management, ifindex ->
	// name (conflict.go).
	managed map[int]string
}

var _ HostAddrs = (*AddrTable)(nil) // the kernel worker tells it what it did

// List returns the host's addresses, with those expected: memory only.
// The caller must not change the slice.
func (t *AddrTable) List() []IfAddr {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addrs()
}

// addrs is List; t.mu is held.
func (t *AddrTable) addrs() []IfAddr {
	if len(t.coming) == 0 {
		return t.list
	}
	if t.all == nil {
		on := make(map[IfAddr]bool, len(t.list))
		for _, a := range t.list {
			on[a] = true
		}
		all := slices.Clone(t.list)
		for a := range t.coming {
			if !on[a] {
				all = append(all, a)
			}
		}
		t.all = all
	}
	return t.all
}

// Reset replaces the list with a full dump of the kernel's.
func (t *AddrTable) Reset(list []IfAddr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.list, t.all = slices.Clone(list), nil
}

// Event applies one address event of the kernel: a is on its link now
// (present, RTM_NEWADDR), or not any more (RTM_DELADDR).
func (t *AddrTable) Event(a IfAddr, present bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	has := slices.Contains(t.list, a)
	switch {
	case present && !has:
		t.list, t.all = append(slices.Clip(t.list), a), nil // a new array: readers keep the old
	case !present && has:
		t.list, t.all = slices.DeleteFunc(slices.Clone(t.list), func(b IfAddr) bool { return b == a }), nil
	}
}

// Expect counts a as the host's from the moment its application is
// queued; Settle, once the kernel call is done and Added has been told,
// stops counting it.
func (t *AddrTable) Expect(a IfAddr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.coming == nil {
		t.coming = make(map[IfAddr]int)
	}
	if t.coming[a]++; t.coming[a] == 1 {
		t.all = nil
	}
}

// Settle ends one Expect of a; without one it changes nothing.
func (t *AddrTable) Settle(a IfAddr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch n := t.coming[a]; {
	case n > 1:
		t.coming[a] = n - 1
	case n == 1:
		delete(t.coming, a)
		t.all = nil
	}
}

// Added and Removed put what the agent itself just did to the kernel in
// the list, so that the next check sees it before the kernel's event
// arrives (another interface offered that address in between would
// otherwise take it too). They are called after the kernel call, with its
// error: after a failure the list is left alone, and the events tell what
// the kernel did.
func (t *AddrTable) Added(a IfAddr, err error) {
	if err == nil {
		t.Event(a, true)
	}
}

// Removed: see Added.
func (t *AddrTable) Removed(a IfAddr, err error) {
	if err == nil {
		t.Event(a, false)
	}
}

// First returns the first IPv4 address of the link ifindex (INFORM's
// address when the command names none), from memory: a thousand
// interfaces resumed at start-up ask the kernel nothing.
func (t *AddrTable) First(ifindex int) (netip.Prefix, bool) {
	for _, a := range t.List() {
		if a.Ifindex == ifindex {
			return a.Prefix, true
		}
	}
	return netip.Prefix{}, false
}

// Holds reports whether a is on its link (a stored lease's address still
// there is adopted), from memory.
func (t *AddrTable) Holds(a IfAddr) bool { return slices.Contains(t.List(), a) }
