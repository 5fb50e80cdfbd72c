package actors

import "sync"

// This file is the state every interface actor shares for the conflict
// check (SPEC §2 "Several interfaces on one host") besides the host's
// address list (Env.HostAddrs, a kernel.AddrTable): which links the agent
// manages. It lives in Env, beside the dependencies, because all actors
// read it and the manager changes it.

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
