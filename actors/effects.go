package actors

import (
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// handle feeds one event to the machine and carries out its actions, each
// by the file of its concern: the wire (send.go), timers (clock.Timers),
// the kernel (apply.go), events and hooks (notify.go, hook.Driver), the
// store (persist.go) and the commands' answers (commands.go).
func (a *iface) handle(ev lease.Event) {
	now := a.env.Clock.Now()
	before := a.m.Status().Lease
	acts := a.m.Handle(now, ev)
	// Listen for the transaction's replies before its first message
	// leaves: a fast server must not answer into the void.
	st := a.m.Status()
	if err := a.listener.Follow(st.XID, st.Probing); err != nil {
		// Its replies go unheard; the retransmission timer's Follow binds
		// it once the other transaction has let it go.
		a.log.Warn("transaction not bound", zap.Uint32("xid", st.XID), zap.Error(err))
	}
	var (
		items []hook.Item
		hooks bool // a hook to run: it waits behind those held
	)
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
			items = append(items, hook.Item{Event: act.Event, Lease: a.notify(act.Event, before)})
			hooks = true
		case lease.Persist:
			a.persist(act.Lease)
		case lease.Forget:
			a.forget()
		case lease.Refused:
			a.logRefusal(act.Refusal)
		case lease.Manage:
			a.inc.running = act.On // a restarted incarnation resumes it
			a.manage(act)
		case lease.Primary:
			a.takePrimary(act.ID) // before the Manage that records it, or the RUNNING answer
		case lease.Withdrawn:
			a.withdrawn(act.ID)
		case lease.Reply:
			items = append(items, hook.Item{Reply: &act})
		}
	}
	// Only now, its actions carried out, the event's hooks and answers go,
	// in order, once the kernel work the message asked for is done.
	a.waits.Finish(items, hooks)
}
