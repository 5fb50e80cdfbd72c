package lease

import "net"

// Standing is where an interface that has no machine stands: the manager
// answers its commands from Unmanaged instead of routing them to one.
type Standing uint8

// The standings.
const (
	// NotManaged: never started, or dropped or released since.
	NotManaged Standing = iota
	// LinkGone: under management, but its link is gone; it resumes when
	// a link of its name appears (SPEC §2 hotplug).
	LinkGone
	// FailedActor: its actor failed too often and was stopped (FAILED).
	FailedActor
)

// Verdict is what becomes of a command for an interface without a
// machine.
type Verdict uint8

// The verdicts.
const (
	// Refuse: answered at once with the Code and reason.
	Refuse Verdict = iota
	// Take: the command puts the interface under management (start,
	// inform): its link is looked up and a machine started for it.
	Take
	// EndManagement: drop of an interface whose link is gone ends its
	// management (the lease record stays, as after any drop).
	EndManagement
	// ShowFailed: status answers the FAILED status.
	ShowFailed
)

// Unmanaged decides a command op for an interface that stands at s with
// no machine (SPEC §3): start and inform put it under management, status
// of a failed interface shows it FAILED and a drop of one whose link is
// gone ends its management; anything else is UNKIF (FAILEDIF for a
// failed one, which only start retries). A link that is gone answers
// before a failure.
func Unmanaged(op Op, s Standing) (v Verdict, code Code, reason string) {
	manages := op == OpStart || op == OpInform
	switch {
	case s == LinkGone && op == OpDrop:
		return EndManagement, CodeOK, ""
	case s == LinkGone && !manages:
		return Refuse, CodeUnkIf, "is managed but its link is gone; it resumes when the link returns"
	case s == FailedActor && op == OpStatus:
		return ShowFailed, CodeOK, ""
	case s == FailedActor && op != OpStart:
		return Refuse, CodeFailedIf, "failed; start it again to retry"
	case !manages:
		return Refuse, CodeUnkIf, "is not managed"
	}
	return Take, CodeOK, ""
}

// Manageable decides whether the link found for a command that Takes its
// interface can have a machine: the client speaks DHCP over Ethernet
// (RFC 2131 htype 1, hlen 6), so a link without a 6-byte hardware address
// (loopback, a tunnel, InfiniBand's 20 bytes) is INVALID, with the reason.
// CodeOK and no reason when it can.
func Manageable(hw net.HardwareAddr) (code Code, reason string) {
	if len(hw) != 6 {
		return CodeInvalid, "has no Ethernet address"
	}
	return CodeOK, ""
}

// Orphaned is the answer to the commands routed to an interface's actor
// that stopped before it handled them: SHUTDOWN when the agent is
// stopping, FAILEDIF when it failed too often, UNKIF when it was dropped
// or its link deleted (a link that is gone, standing LinkGone, is UNKIF as
// its other commands are).
func Orphaned(s Standing, closing bool) Code {
	switch {
	case closing:
		return CodeShutdown
	case s == FailedActor:
		return CodeFailedIf
	}
	return CodeUnkIf
}
