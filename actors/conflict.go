package actors

import (
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
}

// get returns the host's addresses, at most addrCacheTTL old by clock,
// reading them from net when the copy is older (or from the future: the
// clock was set back).
func (c *addrCache) get(clock Clock, net Configurer) ([]kernel.IfAddr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := clock.Now()
	if c.list != nil && now.Sub(c.at) < addrCacheTTL && !now.Before(c.at) {
		return c.list, nil
	}
	list, err := net.Addrs()
	if err != nil {
		return nil, err
	}
	c.list, c.at = list, now
	return list, nil
}

// changed forgets the copy: the agent has just put an address on a link
// or taken one off, and the next conflict check must see it (another
// interface offered that address within the second would otherwise take
// it too). It is called after the kernel call, never before: a check
// between the two would cache the list without the change.
func (c *addrCache) changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = nil
}
