package actors

// setPrimary makes the interface the primary one or not; its routes move
// to the metric that goes with it (start --primary elsewhere moves the
// preferred default route).
func (a *iface) setPrimary(on bool) {
	if a.inc.primary == on {
		return
	}
	a.inc.primary = on
	a.reapply()
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
