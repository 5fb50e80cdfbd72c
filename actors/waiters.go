package actors

import (
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
)

// outcome is what a waiting command waits for.
type outcome int

const (
	untilBound outcome = iota
	untilExtended
	untilInformed
)

// waiter is a command whose reply depends on a later event.
type waiter struct {
	until outcome
	req   *ipc.Request
	reply chan<- *ipc.Reply
}

func (a *iface) wait(until outcome, reply chan<- *ipc.Reply, req *ipc.Request) {
	a.waiters = append(a.waiters, waiter{until: until, req: req, reply: reply})
}

// resolve answers the waiters an event decides: success for the outcome
// they wait for, failure when the event makes it impossible.
func (a *iface) resolve(e lease.EventName) {
	kept := a.waiters[:0]
	for _, w := range a.waiters {
		switch r := a.verdict(w, e); {
		case r != nil:
			r.ID = w.req.ID
			w.reply <- r
		default:
			kept = append(kept, w)
		}
	}
	a.waiters = kept
}

// verdict is w's reply after event e, or nil when w keeps waiting.
func (a *iface) verdict(w waiter, e lease.EventName) *ipc.Reply {
	ok := func() *ipc.Reply {
		st := a.status()
		r := ipc.OK(w.req)
		r.Status = &st
		return r
	}
	name := a.link.Name
	switch {
	case w.until == untilBound && e == lease.EventBound,
		w.until == untilExtended && e == lease.EventExtend,
		w.until == untilInformed && e == lease.EventInform:
		return ok()
	case e == lease.EventDrop || e == lease.EventRelease:
		return ipc.Fail(w.req, ipc.ErrOutState, "%s was stopped before the command completed", name)
	case w.until == untilExtended && (e == lease.EventNak || e == lease.EventExpire):
		return ipc.Fail(w.req, ipc.ErrOutState, "%s: the server refused the extension (%s); acquiring again", name, e)
	}
	return nil
}

// informGaveUp fails INFORM waiters when the exchange ends unanswered.
func (a *iface) informGaveUp() {
	kept := a.waiters[:0]
	for _, w := range a.waiters {
		if w.until == untilInformed {
			w.reply <- ipc.Fail(w.req, ipc.ErrTimeout, "%s: no server answered the INFORM", a.link.Name)
			continue
		}
		kept = append(kept, w)
	}
	a.waiters = kept
}
