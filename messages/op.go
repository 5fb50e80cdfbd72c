package messages

import "github.com/dhcpagent/dhcpagent/lease"

// OpOf is the machine's command (lease.Op) for an interface command;
// false for the others: administrative ones, Version, and the test hooks
// Stats and Panic.
func OpOf(r Request) (lease.Op, bool) {
	switch r := r.(type) {
	case Start:
		return lease.OpStart, true
	case Extend:
		return lease.OpExtend, true
	case Drop:
		if r.Release {
			return lease.OpRelease, true
		}
		return lease.OpDrop, true
	case Inform:
		return lease.OpInform, true
	case Ping:
		return lease.OpPing, true
	case Status:
		return lease.OpStatus, true
	case Info:
		return lease.OpInfo, true
	}
	return 0, false
}
