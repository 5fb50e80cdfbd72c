package messages

import (
	"github.com/dhcpagent/dhcpagent/ipadm"
	"net/netip"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/store"
)

// IfStatus is one managed interface's status (SPEC §3), as its actor (or,
// for a failed one, the manager) reports it.
type IfStatus struct {
	Ifname string
	State  lease.State
	// Failed: the interface's actor failed too often and was stopped;
	// State means nothing then.
	Failed  bool
	Primary bool
	Busy    bool // acquiring, or a command waits for its transaction
	BOOTP   bool // the lease came from a BOOTP server
	// Addr is the lease's address; invalid when the interface holds none.
	Addr   netip.Prefix
	Server netip.Addr
	// Began, T1, T2 and Expires are the lease's times, zero when there is
	// no lease; Expires is zero for an infinite one too.
	Began, T1, T2, Expires time.Time
	// V6OnlyUntil is when DHCPv4 resumes on an IPv6-only network
	// (V6ONLY, RFC 8925); zero in any other state.
	V6OnlyUntil time.Time
	Counters    lease.Counters
	// Warnings are what is wrong with the interface's records in the
	// state dir, or the whole dir (set aside, unreadable, not
	// writable): the agent runs on, and says so here. Oldest first.
	Warnings []Warning
	// Refusals are the interface's latest refusals and failures, oldest
	// first (issue 12: "why has eth1 no address?").
	Refusals []lease.Refusal
}

// StatusOf is the status of ifname whose machine reports s (SPEC §3):
// BUSY while it acquires, waits out SELECT_WAIT or holds a command for
// its transaction; the lease's address, server and times when it holds
// one (no expiry for an infinite lease). primary, refusals (the
// machine's) and warnings (Warnings) are the rest.
func StatusOf(ifname string, s lease.Status, primary bool, refusals []lease.Refusal, warnings []Warning) IfStatus {
	st := IfStatus{
		Ifname:   ifname,
		State:    s.State,
		Primary:  primary,
		Busy:     s.State.Acquiring() || s.Starting || s.Busy,
		Counters: s.Counters,
		// RFC 8925: when DHCPv4 resumes on an IPv6-only network.
		V6OnlyUntil: s.V6OnlyUntil,
		Warnings:    warnings,
		Refusals:    refusals,
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

// FailedStatus is the status of ifname whose actor failed too often and
// was stopped (SPEC §3: FAILED), as the manager reports it: nothing but
// its name, the flag and its records' warnings (Warnings).
func FailedStatus(ifname string, warnings []Warning) IfStatus {
	return IfStatus{Ifname: ifname, Failed: true, Warnings: warnings}
}

// Warning is one problem the agent ran on past, and when it was found.
type Warning struct {
	Time    time.Time
	Message string
}

// Warnings are the state dir's problems as status shows them, one
// sentence each: the file, what is wrong, and where it was set aside.
func Warnings(ps []store.Problem) []Warning {
	var out []Warning
	for _, p := range ps {
		msg := "state dir"
		if p.File != "" {
			msg += " " + p.File
		}
		msg += ": " + p.Reason
		if p.Aside != "" {
			msg += " (set aside as " + p.Aside + ")"
		}
		out = append(out, Warning{Time: p.Time, Message: msg})
	}
	return out
}

// StateName is the state as status, the logs and the metrics name it: the
// RFC 2131 state, or FAILED.
func (s IfStatus) StateName() string {
	if s.Failed {
		return "FAILED"
	}
	return s.State.String()
}

// Bound reports whether the interface holds a lease that is verified and
// in use (BOUND, RENEWING, REBINDING): not one still being probed.
func (s IfStatus) Bound() bool {
	return !s.Failed && s.State.HoldsLease() && s.State != lease.PreBound
}

// IfRow and AddrRow are the lines of show-if and show-addr, as package
// ipadm builds them.
type (
	IfRow   = ipadm.IfRow
	AddrRow = ipadm.AddrRow
)
