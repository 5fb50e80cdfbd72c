package actors

import "github.com/dhcpagent/dhcpagent/messages"

// status reports the interface as status shows it (SPEC §3).
func (a *iface) status() messages.IfStatus {
	s := a.m.Status()
	st := messages.IfStatus{
		Ifname:   a.link.Name,
		State:    s.State,
		Primary:  a.inc.primary,
		Busy:     s.State.Acquiring() || s.Starting || s.Busy,
		Counters: s.Counters,
		// RFC 8925: when DHCPv4 resumes on an IPv6-only network.
		V6OnlyUntil: s.V6OnlyUntil,
		Warnings:    storeWarnings(a.env.Store, a.link.Name),
		Refusals:    a.m.Refusals(),
	}
	l := s.Lease
	if l == nil {
		return st
	}
	st.BOOTP = l.BOOTP
	st.Addr = l.Addr
	st.Server = l.Server
	st.Began, st.T1, st.T2 = l.Began, l.T1, l.T2
	if !l.Infinite {
		st.Expires = l.Expires()
	}
	return st
}

// storeWarnings are the state dir's problems that concern ifname (its
// records, and the host-wide ones), as status shows them: a read of the
// store's memory, never of the disk.
func storeWarnings(st Store, ifname string) []messages.Warning {
	if st == nil {
		return nil
	}
	return messages.Warnings(st.Problems(ifname))
}
