package actors

import (
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/lease"
)

// handle feeds one event to the machine and carries out its actions, each
// by the file of its concern: the wire (send.go), timers (clock.Timers), the
// kernel (apply.go, routes.go: the kernel worker calls it), events and hooks (notify.go, hook.Driver),
// the store (persist.go) and the command's answer (commands.go).
func (a *iface) handle(ev lease.Event) {
	now := a.env.Clock.Now()
	before := a.m.Status().Lease
	acts := a.m.Handle(now, ev)
	// Listen for the transaction's replies before its first message
	// leaves: a fast server must not answer into the void.
	st := a.m.Status()
	a.listener.Follow(st.XID, st.Probing)
	var t tail
	for _, act := range acts {
		switch act := act.(type) {
		case lease.Send:
			a.send(act)
		case lease.SendARP:
			a.sendARP(act)
		case lease.ArmTimer:
			a.timers.Arm(act.Timer, act.At.Sub(now))
		case lease.StopTimer:
			a.timers.Stop(act.Timer)
		case lease.Apply:
			a.apply(act.Lease, now, false)
		case lease.Remove:
			a.remove(now)
		case lease.Transition:
			a.transition(act)
		case lease.Notify:
			t.items = append(t.items, hook.Item{Event: act.Event, Lease: a.notify(act.Event, before)})
			t.hooks = true
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
			t.items = append(t.items, hook.Item{Reply: &act})
		}
	}
	if a.kseq != a.mark {
		t.after = a.kseq // kernel work asked for by this message
	}
	a.finish(t)
}

// tail is what of an event comes once its actions are carried out: its
// hooks and its answers, in order. An answer after a hook waits for it.
type tail struct {
	items []hook.Item
	hooks bool   // it has a hook to run
	after uint64 // the kernel job it waits for (apply.go), 0 for none
}

// finish runs t now, or holds it until the kernel work it waits for is
// done. Hooks run in event order, so a tail with a hook also waits
// behind those held; one with only answers never does (a status is
// answered while an earlier event's lease is being applied).
func (a *iface) finish(t tail) {
	if n := len(a.held); t.after > a.kdone || (t.hooks && n > 0) {
		if n > 0 {
			t.after = max(t.after, a.held[n-1].after)
		}
		a.held = append(a.held, t)
		return
	}
	a.hooks.Run(t.items)
}
