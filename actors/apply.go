package actors

import (
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/hostplan"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// What a lease puts on the host is package hostplan's decision; the
// interface actor hands it to the interface's kernel worker
// (kernel.Worker), which makes the calls
// off Receive, in order, and posts each outcome back as kernelDone. What
// the kernel work of an event decides waits for it: the event's hook runs,
// and its commands are answered, once the worker has done what the event
// asked (SPEC §5: a hook and an answer describe the lease applied), at
// most kernelWait after it was asked. Meanwhile the actor goes on: status
// is answered at once, BUSY.

// kernelWait bounds how long an event's hook and answers wait for its
// kernel work: kernel.Timeout is each netlink request's bound, and an
// application is a few of them.
const kernelWait = 3 * kernel.Timeout

// afterKernel runs f once k has done the work asked of it so far, or
// kernelWait after now on clk if k is still at it: an answer waits for the
// kernel work its command caused, never for a kernel that does not answer.
func afterKernel(k *kernel.Worker, clk clock.Clock, f func()) {
	once := sync.OnceFunc(f)
	k.After(once)
	clk.AfterFunc(kernelWait, once)
}

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

// queueKernel queues job on the worker, numbered from the counter every actor
// and incarnation shares (so that an earlier incarnation's report never
// passes for a later job), and bounds the wait for it.
func (a *iface) queueKernel(now time.Time, job func(*kernel.Worker) []error) {
	seq := a.env.gens.Next()
	a.kseq = seq
	k, root, self := a.kern, a.root, a.self
	k.Do(func() {
		root.Send(self, &kernelDone{seq: seq, at: now, refused: job(k)})
	})
	if a.late == nil {
		a.late = a.env.Clock.AfterFunc(kernelWait, func() { root.Send(self, &kernelLate{seq: seq}) })
	}
}

// kernelWorker returns the kernel worker of the interface called name,
// made on first use with what the agent acts on.
func (e *Env) kernelWorker(name string, log *zap.Logger) *kernel.Worker {
	return e.kernels.Of(kernel.Effects{Net: e.Net, DNS: e.DNS, HostName: e.HostName, Addrs: &e.HostAddrs},
		name, log)
}

// kernelBusy reports whether kernel work asked for is not done yet.
func (a *iface) kernelBusy() bool { return a.kdone < a.kseq }

// kernelDone records what the kernel refused (status shows it) and lets
// what waited for the job go.
func (a *iface) kernelDone(d *kernelDone) {
	for _, e := range d.refused {
		a.m.Record(d.at, lease.ReasonKernel, e.Error())
	}
	a.kernelReached(d.seq)
}

// kernelLate lets what waits go when the kernel has not answered in time.
func (a *iface) kernelLate(l *kernelLate) {
	a.late = nil
	if a.kdone < l.seq {
		a.log.Error("the kernel has not applied the lease in time; answering anyway",
			zap.Duration("waited", kernelWait))
		a.kernelReached(l.seq)
	}
	if a.kernelBusy() {
		seq, root, self := a.kseq, a.root, a.self
		a.late = a.env.Clock.AfterFunc(kernelWait, func() { root.Send(self, &kernelLate{seq: seq}) })
	}
}

// kernelReached notes the jobs up to seq done: the hooks and answers
// that waited for them go.
func (a *iface) kernelReached(seq uint64) {
	a.kdone = max(a.kdone, seq)
	if !a.kernelBusy() && a.late != nil {
		a.late.Stop()
		a.late = nil
	}
	for len(a.held) > 0 && a.held[0].after <= a.kdone {
		t := a.held[0]
		a.held = a.held[1:]
		a.hooks.Run(t.items)
	}
}

// dropHeld sends the answers held for kernel work that this incarnation
// will not wait for any more (a restart, a stop): their events have
// happened. They go once the worker has done what it was asked (it
// outlives the incarnation), so that an answer still comes after the
// kernel work its command caused. Their hooks are skipped.
func (a *iface) dropHeld() {
	held := a.held
	a.held = nil
	a.untilKernel = true
	defer func() { a.untilKernel = false }()
	for _, t := range held {
		a.hooks.Skip(t.items, "the interface stopped before its lease was applied")
	}
}
