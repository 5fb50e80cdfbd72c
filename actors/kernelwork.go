package actors

import (
	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/serial"
	"go.uber.org/zap"
)

// What a lease puts on the host (address, routes, rule, MTU, DNS, host
// name) is netlink requests, a resolver that may be systemd-resolved over
// D-Bus, and a host name written to the kernel: never in an actor's
// Receive. Each interface name has one kernel worker, shared by every
// actor and incarnation of that name as its recorder is, that makes the
// calls on a goroutine of its own, in the order the actor asked for them,
// and posts each outcome back to the actor (kernelDone). The worker, not
// the actor, knows what it put on the kernel (applied, the MTU it
// replaced): a restarted incarnation's next application withdraws what
// the failed one installed, and no queued effect is lost with it.

// kernelWorkers are the agent's kernel workers by interface name.
type kernelWorkers struct{ serial.Named[kernelWork] }

// of returns the kernel worker of the interface called name, made on
// first use.
func (ks *kernelWorkers) of(env *Env, name string, log *zap.Logger) *kernelWork {
	return ks.Get(name, func() *kernelWork { return &kernelWork{env: env, name: name, log: log} })
}

// kernelWork makes one interface's kernel calls in order.
type kernelWork struct {
	serial.Queue
	env  *Env // Net, DNS, HostName and the host address cache
	name string
	log  *zap.Logger

	// What the jobs left in the kernel; only the jobs, one at a time,
	// touch them.
	applied *kernel.AddrConfig // what Apply put on the interface
	origMTU int                // the link's MTU before APPLY_MTU, 0 if unchanged
}

// kernelPlan is one application of a lease, as the actor decided it: the
// worker carries it out without reading the actor's state.
type kernelPlan struct {
	cfg kernel.AddrConfig
	// dns is what the resolver is told; nil takes the interface's DNS
	// back (DNS=no).
	dns *dns.Link
	// hostname is claimed; "" gives back a name the interface had set.
	hostname string
	// mtu is set on the link when not 0 (APPLY_MTU).
	mtu int
	// again: a reapplication (a new primary, SIGHUP), done only over the
	// very address applied; a lease being replaced meanwhile wins.
	again bool
	log   []zap.Field // describe the lease in "lease applied"
}

// apply carries p out and returns what the kernel refused of the address
// and its routes, one error each.
func (k *kernelWork) apply(p kernelPlan) []error {
	c := p.cfg
	if k.applied != nil && k.applied.Ifindex != c.Ifindex {
		// The link was deleted and made again: what it had went with it.
		k.applied, k.origMTU = nil, 0
	}
	if !p.again {
		// After added below: the address is never missing from the
		// conflict check's list (apply).
		defer k.env.hostAddrs.settle(kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr})
	}
	if p.again && (k.applied == nil || k.applied.Addr != c.Addr) {
		return nil
	}
	if k.applied != nil && k.applied.Addr != c.Addr {
		k.remove() // a different lease replaces the old one
	}
	net := k.env.Net
	err := net.Apply(c)
	var refused []error
	if err != nil {
		k.log.Error("applying lease failed", zap.Stringer("address", c.Addr), zap.Error(err))
		// Each refusal (one route, the address) in status too: one route
		// the kernel refuses never stops the others, and says so.
		refused = unjoin(err)
	}
	k.env.hostAddrs.added(kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}, err)
	if k.applied != nil {
		// A renewal leaves exactly the routes its ACK names (SPEC §2).
		if err := net.Withdraw(*k.applied, c); err != nil {
			k.log.Error("removing vanished routes failed", zap.Stringer("address", c.Addr), zap.Error(err))
		}
	}
	// Remember it even when it failed part-way, so remove takes back
	// whatever did get applied.
	k.applied = &c
	k.setDNS(p.dns)
	k.setHostname(p.hostname)
	if p.mtu > 0 {
		k.setMTU(c.Ifindex, p.mtu)
	}
	k.log.Info("lease applied", append([]zap.Field{zap.Stringer("address", c.Addr),
		zap.Int("routes", len(c.Routes))}, p.log...)...)
	return refused
}

// remove takes back what apply put on the kernel.
func (k *kernelWork) remove() {
	if k.applied == nil {
		return
	}
	c := *k.applied
	err := k.env.Net.Remove(c)
	if err != nil {
		k.log.Error("removing lease failed", zap.Stringer("address", c.Addr), zap.Error(err))
	} else {
		k.log.Info("lease removed", zap.Stringer("address", c.Addr))
	}
	k.env.hostAddrs.removed(kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}, err)
	k.applied = nil
	k.setDNS(nil)
	k.setHostname("")
	if k.origMTU != 0 {
		if err := k.env.Net.SetMTU(c.Ifindex, k.origMTU); err != nil {
			k.log.Error("restoring MTU failed", zap.Int("mtu", k.origMTU), zap.Error(err))
		}
		k.origMTU = 0
	}
}

// setMTU sets the link's MTU, remembering the one it replaces.
func (k *kernelWork) setMTU(ifindex, mtu int) {
	cur, err := k.env.Net.MTU(ifindex)
	if err != nil || cur == mtu {
		return
	}
	if k.origMTU == 0 {
		k.origMTU = cur
	}
	if err := k.env.Net.SetMTU(ifindex, mtu); err != nil {
		k.log.Error("applying MTU failed", zap.Int("mtu", mtu), zap.Error(err))
	}
}

// unjoin splits an errors.Join of several failures into them.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
