package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
)

// The machine's timers run on the Clock and come back to the actor as
// TimerFired messages stamped with a generation: a timer stopped or
// re-armed meanwhile (or armed by a dead incarnation) never matches.

func (a *iface) arm(t lease.Timer, d time.Duration) {
	a.stopTimer(t)
	gen := a.env.gens.Add(1)
	root, self := a.root, a.self
	a.timers[t] = armed{gen: gen, stop: a.env.Clock.AfterFunc(d, func() {
		root.Send(self, &messages.TimerFired{Timer: t, Gen: gen})
	})}
}

func (a *iface) stopTimer(t lease.Timer) {
	if old, ok := a.timers[t]; ok {
		old.stop.Stop()
		delete(a.timers, t)
	}
}

// quiesce stops timers and stops listening, leaving the kernel as it is: a
// restarted incarnation or the next agent takes over from there.
func (a *iface) quiesce() {
	for t := range a.timers {
		a.stopTimer(t)
	}
	if a.late != nil {
		a.late.Stop()
		a.late = nil
	}
	if a.xid != 0 {
		a.env.Router.Unbind(a.xid, a.link.HWAddr)
		a.xid = 0
	}
	if a.watching {
		a.env.ARP.Unwatch(a.link.Index)
		a.watching = false
	}
}
