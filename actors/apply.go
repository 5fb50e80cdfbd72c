package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/hostplan"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// What a lease puts on the host is package hostplan's decision; the
// interface's kernel worker (kernel.Worker) makes the calls off Receive
// and posts each outcome back as kernelDone. An event's hook and answers
// wait for its kernel work, kernelWait at most (kernel.Waiting; SPEC §5:
// a hook and an answer describe the lease applied).

// kernelWait bounds how long an event's hook and answers wait for its
// kernel work (kernel.Wait).
const kernelWait = kernel.Wait

// kernelDone is the worker's report that the job numbered seq is done,
// with what the kernel refused of the address and its routes.
type kernelDone struct {
	seq     uint64
	at      time.Time // when the event that asked for it happened
	refused []error
}

// kernelLate is posted kernelWait after the job numbered seq was asked
// for.
type kernelLate struct{ seq uint64 }

// apply puts the lease on the interface: address with prefix and both
// lifetimes equal to the lease's remaining time, its routes, its DNS, the
// host name and its MTU when APPLY_MTU is set.
func (a *iface) apply(l *lease.Lease, now time.Time, again bool) {
	p := hostplan.Of(l, now, hostplan.Link{Name: a.link.Name, Index: a.link.Index, Primary: a.inc.primary},
		a.env.Cfg().Host(a.link.Name))
	p.Again = again
	if !again {
		// The address is the host's from now on for the conflict check of
		// every other interface, not only once the worker has applied it.
		a.env.HostAddrs.Expect(kernel.IfAddr{Ifindex: p.Cfg.Ifindex, Prefix: p.Cfg.Addr})
	}
	a.queueKernel(now, func(k *kernel.Worker) []error { return k.Apply(p) })
}

// remove takes back what the lease put on the host.
func (a *iface) remove(now time.Time) {
	a.queueKernel(now, func(k *kernel.Worker) []error { k.Remove(); return nil })
}

// queueKernel queues job on the worker, which numbers it, and bounds the
// wait for it.
func (a *iface) queueKernel(now time.Time, job func(*kernel.Worker) []error) {
	root, self := a.root, a.self
	a.waits.Asked(a.kern.Job(job, func(seq uint64, refused []error) {
		root.Send(self, &kernelDone{seq: seq, at: now, refused: refused})
	}))
}

// newWaiting returns what holds the interface's hooks and answers until
// its kernel work is done: the end of the bound comes back to the actor
// as kernelLate, what goes is run by the hook driver.
func (a *iface) newWaiting() kernel.Waiting[[]hook.Item] {
	root, self := a.root, a.self
	return kernel.Waiting[[]hook.Item]{Clock: a.env.Clock, Log: a.log, Run: a.hooks.Run,
		Late: func(seq uint64) { root.Send(self, &kernelLate{seq: seq}) }}
}

// kernelWorker returns the kernel worker of the interface called name,
// made on first use with what the agent acts on.
func (e *Env) kernelWorker(name string, log *zap.Logger) *kernel.Worker {
	return e.kernels.Of(kernel.Effects{Net: e.Net, DNS: e.DNS, HostName: e.HostName, Addrs: &e.HostAddrs},
		name, log)
}

// kernelDone records what the kernel refused (status shows it) and lets
// what waited for the job go.
func (a *iface) kernelDone(d *kernelDone) {
	for _, e := range d.refused {
		a.m.Record(d.at, lease.ReasonKernel, e.Error())
	}
	a.waits.Done(d.seq)
}

// dropHeld sends the answers held for kernel work that this incarnation
// will not wait for any more (a restart, a stop): their events have
// happened. They still go only once the worker, which outlives the
// incarnation, has done that work (settle with a.kern); their hooks are
// skipped.
func (a *iface) dropHeld() {
	for _, items := range a.waits.Drop() {
		for _, r := range a.hooks.Skip(items, "the interface stopped before its lease was applied") {
			a.settle(r, a.kern)
		}
	}
}
