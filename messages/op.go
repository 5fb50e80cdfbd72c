package messages

import (
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
)

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

// ResultOf is the machine's answer r to a command for ifname: its code
// with the reason, or success with info's values and, when r asks for
// it, the status as status reports it once the event's actions are done.
func ResultOf(ifname string, r lease.Reply, status func() IfStatus) *Result {
	if r.Code != lease.CodeOK {
		return Fail(ipc.Code(r.Code), "%s: %s", ifname, r.Reason)
	}
	out := &Result{Values: r.Values, Raw: r.Raw}
	if r.Status {
		s := status()
		out.Status = &s
	}
	return out
}
