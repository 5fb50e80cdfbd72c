package actors

import "github.com/dhcpagent/dhcpagent/messages"

// setPrimary makes the interface the primary one or not; its routes move
// to the metric that goes with it (start --primary elsewhere moves the
// preferred default route). Told it no longer is, it has the host
// record set to the manager's primary if the record still names this
// one: its own record of the role, on its recorder's queue, may come
// after its successor's, on another's.
func (a *iface) setPrimary(on bool) {
	if !on && a.env.Store != nil {
		a.rec.PrimaryLeft(a.env.Store, a.env.primaryName)
	}
	if a.inc.primary == on {
		return
	}
	a.inc.primary = on
	a.reapply()
}

// takePrimary makes the interface the primary one when the start
// numbered id asked for it (--primary) and the machine says it may
// (lease.Primary: admitted, or answered RUNNING); a refused start changes
// nothing. It comes before the record is written (manage), so that the
// host record names it, and before the answer, so that its status says
// PRIMARY; then the manager hears it (TookPrimary), moves the primary and
// tells the old one.
// A start a restart carried over took the role at its first admission:
// retried, it does not take it back from one that took it since.
func (a *iface) takePrimary(id uint64) {
	c := a.pending.Command(id)
	if !c.Primary() || c == a.inc.tookPrimary {
		return
	}
	a.inc.tookPrimary = c
	a.setPrimary(true)
	if a.inc.running && a.env.Store != nil {
		// Answered RUNNING: no Manage follows to record it.
		a.rec.Primary(a.env.Store)
	}
	a.root.Send(a.parent, &messages.TookPrimary{Ifname: a.link.Name, PID: a.self})
}

// reapply applies the held lease again, when its metric, table, DNS or
// host name may have changed (a new primary, SIGHUP): what is already in
// the kernel stays, what no longer applies is withdrawn, and the resolver
// hears only of a change.
func (a *iface) reapply() {
	if l := a.m.Status().Lease; l != nil {
		a.apply(l, a.env.Clock.Now(), true) // only over the address applied
	}
}
