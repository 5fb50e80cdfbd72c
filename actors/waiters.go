package actors

import (
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
)

// outcome is what a waiting command waits for.
type outcome int

const (
	untilBound outcome = iota
	untilExtended
	untilInformed
	untilEnded // drop or release: the actor stops once it is answered
)

// waiter is a command whose reply depends on a later event.
type waiter struct {
	until outcome
	cmd   *messages.Command
	keep  bool // agent shutdown: the interface stays under management
}

// delivery is a reply decided by an event, sent once the event's hook has
// run (SPEC §5: the reply comes after the hook exits).
type delivery struct {
	w     waiter
	reply *ipc.Reply
}

func (a *iface) wait(until outcome, c *messages.Command) {
	a.waiters = append(a.waiters, waiter{until: until, cmd: c})
}

// resolve takes the waiters an event decides out of the queue, with their
// replies: success for the outcome they wait for, failure when the event
// makes it impossible.
func (a *iface) resolve(e lease.EventName) []delivery {
	var settled, kept []waiter
	for _, w := range a.waiters {
		if a.verdict(w, e) != nil {
			settled = append(settled, w)
		} else {
			kept = append(kept, w)
		}
	}
	// The replies' status must not count the settled waiters as BUSY.
	a.waiters = kept
	out := make([]delivery, 0, len(settled))
	for _, w := range settled {
		r := a.verdict(w, e)
		out = append(out, delivery{w: w, reply: r})
	}
	return out
}

// verdict is w's reply after event e, or nil when w keeps waiting.
func (a *iface) verdict(w waiter, e lease.EventName) *ipc.Reply {
	ok := func() *ipc.Reply {
		st := a.status()
		r := ipc.OK(w.cmd.Req)
		r.Status = &st
		return r
	}
	name := a.link.Name
	ended := e == lease.EventDrop || e == lease.EventRelease
	switch {
	case w.until == untilBound && e == lease.EventBound,
		w.until == untilExtended && e == lease.EventExtend,
		w.until == untilInformed && e == lease.EventInform,
		w.until == untilEnded && ended:
		return ok()
	case ended && a.closing:
		return ipc.Fail(w.cmd.Req, ipc.ErrShutdown, "%s: the agent is stopping", name)
	case ended:
		return ipc.Fail(w.cmd.Req, ipc.ErrOutState, "%s was stopped before the command completed", name)
	case w.until == untilExtended && (e == lease.EventNak || e == lease.EventExpire):
		return ipc.Fail(w.cmd.Req, ipc.ErrOutState, "%s: the server refused the extension (%s); acquiring again", name, e)
	}
	return nil
}

// deliver sends a decided reply. A drop or release ends the actor after
// its answer: the interface is no longer managed (SPEC §2, Ending).
func (a *iface) deliver(d delivery) {
	ending := d.w.until == untilEnded
	if ending && !d.w.keep {
		// Before the reply, so a start that follows finds the interface free.
		a.root.Send(a.parent, &messages.Unmanaged{Ifname: a.link.Name, PID: a.self})
	}
	d.w.cmd.Answer(d.reply)
	switch {
	case ending && d.w.keep:
		a.root.Stop(a.self) // the agent is stopping: nothing more will come
	case ending:
		a.inc.running = false
		a.inc.ended = true
		a.quiesce()
	}
}

// informGaveUp fails INFORM waiters when the exchange ends unanswered.
func (a *iface) informGaveUp() {
	kept := a.waiters[:0]
	for _, w := range a.waiters {
		if w.until == untilInformed {
			w.cmd.Answer(ipc.Fail(w.cmd.Req, ipc.ErrTimeout, "%s: no server answered the INFORM", a.link.Name))
			continue
		}
		kept = append(kept, w)
	}
	a.waiters = kept
}
