package kernel

import "net/netip"

// This file is the questions the lease machine asks about the host's
// addresses (SPEC §2 "Several interfaces on one host"), answered from the
// AddrTable alone: may an interface take an offered address, and is an
// address one of the host's own. For the first the table also knows which
// links the agent manages: an address in one of their networks is another
// managed interface's, not a stranger's.

// Manage records the link numbered ifindex, called name, as under the
// agent's management. The manager registers every stored interface before
// any of them resumes, so at restart no interface's lease stands in
// another's way.
func (t *AddrTable) Manage(ifindex int, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.managed == nil {
		t.managed = make(map[int]string)
	}
	t.managed[ifindex] = name
}

// Unmanage forgets the interface called name, under every index it had
// (a link deleted and made again comes back with another).
func (t *AddrTable) Unmanage(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, n := range t.managed {
		if n == name {
			delete(t.managed, i)
		}
	}
}

// Managed reports whether the link numbered ifindex is under management.
func (t *AddrTable) Managed(ifindex int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.managed[ifindex]
	return ok
}

// Conflicts reports whether the interface numbered ifindex cannot take
// the offered address a (SPEC §2): another interface already has it (the
// kernel would answer for it on both), or it lies inside a network of an
// interface the agent does not manage (two links would claim one subnet).
// A subnet that another managed interface uses is fine: a server with
// several ports on one VLAN leases each its own address there. The
// interface's own addresses and loopback ones never conflict. Memory only.
func (t *AddrTable) Conflicts(ifindex int, a netip.Addr) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ia := range t.addrs() {
		if ia.Ifindex == ifindex || ia.Prefix.Addr().IsLoopback() {
			continue
		}
		if _, managed := t.managed[ia.Ifindex]; ia.Prefix.Addr() == a || (ia.Prefix.Masked().Contains(a) && !managed) {
			return true
		}
	}
	return false
}

// Has reports whether a is an address the host has on any of its
// interfaces: a lease's route through one is left out (SPEC §2: the
// gateway must be usable), where the kernel would refuse it. Memory only.
func (t *AddrTable) Has(a netip.Addr) bool {
	for _, ia := range t.List() {
		if ia.Prefix.Addr() == a {
			return true
		}
	}
	return false
}
