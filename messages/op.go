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

// CommandOf is the machine's command for an interface command: its op
// (OpOf) and what the request says (start's host name and Boot, inform's
// address, info's option); false as OpOf. What only the interface's actor
// can find out (a start's stored lease, the interface's own address for an
// inform that names none) it adds.
func CommandOf(r Request) (lease.Command, bool) {
	op, ok := OpOf(r)
	c := lease.Command{Op: op}
	switch r := r.(type) {
	case Start:
		c.Hostname, c.Boot = r.Hostname, r.Boot
	case Inform:
		c.Addr = r.Addr // refresh-addr -i names the static address object's address
	case Info:
		c.Option = r.Option
	}
	return c, ok
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
