package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// apply puts the lease on the interface: address with prefix and both
// lifetimes equal to the lease's remaining time, its routes, and its MTU
// when APPLY_MTU is set.
func (a *iface) apply(l *lease.Lease, now time.Time) {
	c := a.addrConfig(l, now)
	if a.applied != nil && a.applied.Addr != c.Addr {
		a.remove() // a different lease replaces the old one
	}
	err := a.env.Net.Apply(c)
	if err != nil {
		a.log.Error("applying lease failed", zap.Stringer("address", l.Addr), zap.Error(err))
		// Each refusal (one route, the address) in status too: one route
		// the kernel refuses never stops the others, and says so.
		for _, e := range unjoin(err) {
			a.m.Record(now, lease.ReasonKernel, e.Error())
		}
	}
	a.env.hostAddrs.added(kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}, err)
	if a.applied != nil {
		// A renewal leaves exactly the routes its ACK names (SPEC §2).
		a.withdraw(*a.applied, c)
	}
	// Remember it even when it failed part-way, so remove takes back
	// whatever did get applied.
	a.applied = &c
	a.setDNS(l)
	a.applyHostname(l.ACK.HostName())
	if l.MTU > 0 && a.env.Cfg().Bool(a.link.Name, "APPLY_MTU") {
		a.applyMTU(l.MTU)
	}
	a.log.Info("lease applied", zap.Stringer("address", l.Addr), zap.Stringer("server", l.Server),
		zap.Duration("lease", l.Duration), zap.Bool("infinite", l.Infinite), zap.Int("routes", len(c.Routes)))
}

func (a *iface) applyMTU(mtu int) {
	cur, err := a.env.Net.MTU(a.link.Index)
	if err != nil || cur == mtu {
		return
	}
	if a.origMTU == 0 {
		a.origMTU = cur
	}
	if err := a.env.Net.SetMTU(a.link.Index, mtu); err != nil {
		a.log.Error("applying MTU failed", zap.Int("mtu", mtu), zap.Error(err))
	}
}

func (a *iface) remove() {
	if a.applied == nil {
		return
	}
	err := a.env.Net.Remove(*a.applied)
	if err != nil {
		a.log.Error("removing lease failed", zap.Stringer("address", a.applied.Addr), zap.Error(err))
	} else {
		a.log.Info("lease removed", zap.Stringer("address", a.applied.Addr))
	}
	a.env.hostAddrs.removed(kernel.IfAddr{Ifindex: a.applied.Ifindex, Prefix: a.applied.Addr}, err)
	a.applied = nil
	a.clearDNS()
	a.releaseHostname()
	if a.origMTU != 0 {
		if err := a.env.Net.SetMTU(a.link.Index, a.origMTU); err != nil {
			a.log.Error("restoring MTU failed", zap.Int("mtu", a.origMTU), zap.Error(err))
		}
		a.origMTU = 0
	}
}

// unjoin splits an errors.Join of several failures into them.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
