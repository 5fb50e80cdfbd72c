package actors

import (
	"github.com/dhcpagent/dhcpagent/lease"
)

// handle feeds one event to the machine and carries out its actions, each
// by the file of its concern: the wire (send.go), timers (timers.go), the
// kernel (apply.go, routes.go), events and hooks (notify.go, hooks.go),
// the store (persist.go) and the command's answer (commands.go).
func (a *iface) handle(ev lease.Event) {
	now := a.env.Clock.Now()
	before := a.m.Status().Lease
	acts := a.m.Handle(now, ev)
	// Listen for the transaction's replies before its first message
	// leaves: a fast server must not answer into the void.
	a.listen()
	job := -1 // the hook of this batch's latest event, which holds its replies
	var replies []lease.Reply
	for _, act := range acts {
		switch act := act.(type) {
		case lease.Send:
			a.send(act)
		case lease.SendARP:
			a.sendARP(act)
		case lease.ArmTimer:
			a.arm(act.Timer, act.At.Sub(now))
		case lease.StopTimer:
			a.stopTimer(act.Timer)
		case lease.Apply:
			a.apply(act.Lease, now)
		case lease.Remove:
			a.remove()
		case lease.Transition:
			a.transition(act)
		case lease.Notify:
			job = a.notify(act.Event, before)
		case lease.Persist:
			a.persist(act.Lease)
		case lease.Forget:
			a.forget()
		case lease.Refused:
			a.logRefusal(act.Refusal)
		case lease.Manage:
			a.inc.running = act.On // a restarted incarnation resumes it
			a.manage(act)
		case lease.Withdrawn:
			a.withdrawn(act.ID)
		case lease.Reply:
			if job >= 0 {
				a.hooks.Hold(job, act)
			} else {
				replies = append(replies, act)
			}
		}
	}
	a.nextHook()
	for _, r := range replies {
		a.reply(r)
	}
}
