package actors

import (
	"slices"
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
)

// This file is the state every interface actor shares for the conflict
// check (SPEC §2 "Several interfaces on one host"): which links the agent
// manages, and a short-lived copy of the host's address list. It lives in
// Env, beside the dependencies, because all actors read it and the manager
// and the actors that apply leases change it.

// managedSet is the ifindexes of the interfaces under management
// (ifindex -> name): an address in one of their networks is another
// managed interface's, not a stranger's.
type managedSet struct {
	mu sync.Mutex
	m  map[int]string
}

// add records link as under management.
func (s *managedSet) add(link Link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[int]string)
	}
	s.m[link.Index] = link.Name
}

// remove forgets the interface called name.
func (s *managedSet) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, n := range s.m {
		if n == name {
			delete(s.m, i)
		}
	}
}

// has reports whether ifindex is under management.
func (s *managedSet) has(ifindex int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[ifindex]
	return ok
}

// addrCacheTTL bounds how stale the conflict check's address list may be.
const addrCacheTTL = time.Second

// addrCache keeps the host's address list for a second: every offer is
// checked against it, and a thousand interfaces acquiring at once must not
// dump the kernel's table a thousand times.
type addrCache struct {
	mu   sync.Mutex
	list []kernel.IfAddr
	at   time.Time
	// coming are the addresses of leases handed to a kernel worker and
	// not on the interface yet (kernelwork.go), by how many applications
	// of each are queued: the conflict check counts them as the host's
	// already, or another interface offered one of them meanwhile would
	// take it too.
	coming map[kernel.IfAddr]int
}

// get returns the host's addresses, at most addrCacheTTL old by clock,
// reading them from net when the copy is older (or from the future: the
// clock was set back).
func (c *addrCache) get(clock Clock, net Configurer) ([]kernel.IfAddr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := clock.Now()
	if c.list == nil || now.Sub(c.at) >= addrCacheTTL || now.Before(c.at) {
		list, err := net.Addrs()
		if err != nil {
			return nil, err
		}
		c.list, c.at = list, now
	}
	if len(c.coming) == 0 {
		return c.list, nil
	}
	out := slices.Clone(c.list)
	for a := range c.coming {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// expect counts a as the host's from the moment its application is
// queued; settle, once the kernel call is done and added has been told,
// stops counting it.
func (c *addrCache) expect(a kernel.IfAddr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.coming == nil {
		c.coming = make(map[kernel.IfAddr]int)
	}
	c.coming[a]++
}

func (c *addrCache) settle(a kernel.IfAddr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.coming[a]--; c.coming[a] <= 0 {
		delete(c.coming, a)
	}
}

// added and removed keep the copy true to what the agent itself just did
// to the kernel, so that the next conflict check sees it (another
// interface offered that address within the second would otherwise take
// it too) without reading the table again: a thousand interfaces resumed
// at once share one dump. They are called after the kernel call, never
// before (a check between the two would cache the list without the
// change), with its error: after a failure what the kernel holds is not
// known, and the copy is forgotten.
func (c *addrCache) added(a kernel.IfAddr, err error) {
	c.edit(err, func(list []kernel.IfAddr) []kernel.IfAddr {
		if slices.Contains(list, a) {
			return list
		}
		return append(slices.Clip(list), a) // a new array: readers keep the old
	})
}

func (c *addrCache) removed(a kernel.IfAddr, err error) {
	c.edit(err, func(list []kernel.IfAddr) []kernel.IfAddr {
		if !slices.Contains(list, a) {
			return list
		}
		return slices.DeleteFunc(slices.Clone(list), func(b kernel.IfAddr) bool { return b == a })
	})
}

func (c *addrCache) edit(err error, f func([]kernel.IfAddr) []kernel.IfAddr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil:
		c.list = nil
	case c.list != nil:
		c.list = f(c.list)
	}
}
