package actors

import (
	"net/netip"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/stash"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/dhcpagent/dhcpagent/transport"
	"go.uber.org/zap"
)

// iface is the actor that owns one interface: its lease machine, its timers
// and its one outstanding transaction.
type iface struct {
	env  *Env
	link Link
	log  *zap.Logger
	inc  *incarnations   // survives restarts of this actor
	rec  *store.Recorder // writes the interface's records, in order

	root     *actor.RootContext
	self     *actor.PID
	parent   *actor.PID
	m        *lease.Machine
	timers   clock.Timers[lease.Timer]
	listener transport.Listener // the Router's binding, the ARP watch
	kern     *kernel.Worker     // makes its kernel calls, in order
	// waits holds an event's hooks and answers until its kernel work is
	// done (apply.go).
	waits    kernel.Waiting[[]hook.Item]
	pending  messages.Pending // commands the machine has yet to answer
	hooks    hook.Driver      // runs the events' hooks in order
	refusals lease.RefusalLog // rate-limits the log of refusals
	closing  bool             // the agent is stopping this interface
}

// incarnations is what the supervisor's restarts of one interface actor
// share: a restarted actor resumes the interface if it was running.
type incarnations struct {
	running bool // started and not dropped: resume on restart
	primary bool // the primary interface (start --primary)
	// tookPrimary is the start --primary that took the primary role
	// (takePrimary): retried after a restart it does not take it again.
	tookPrimary *messages.Command
	ended       bool // dropped or released: waiting for Retire
	// deleted: its link was deleted. The next incarnation ends as the
	// deletion ends an actor (linkDeleted): a failure while handling it
	// dropped the message, and a resume would run on a link that is gone.
	deleted bool
	// current is the command being handled: answered FAILEDIF if its
	// handling fails, since the restart drops it.
	current *messages.Command
	// carried is the start the failed incarnation left waiting: the next
	// one resumes the interface with it and answers it once bound.
	carried *messages.Command
	// record holds what needs the lease record while it is read
	// (persist.go).
	record *stash.Gate[any]
}

// newIface returns the producer of link's interface actor. What it makes
// here, the incarnations, recorder and kernel worker, every incarnation
// shares.
func newIface(env *Env, link Link) actor.Producer {
	inc := &incarnations{record: stash.NewGate(maxHeld, abandoned)}
	log := env.Log.With(zap.String("iface", link.Name))
	rec := env.records.Of(env.Store, link.Name, log) // as manager.recorder
	kern := env.kernelWorker(link.Name, log)
	return func() actor.Actor {
		return &iface{
			env:  env,
			link: link,
			log:  log,
			inc:  inc,
			rec:  rec,
			kern: kern,
		}
	}
}

// Receive handles one message. Status is answered first, whatever the
// actor waits for; then the record gate may take the message (persist.go),
// and an actor whose interface was dropped or released only retires.
func (a *iface) Receive(ctx actor.Context) {
	// Any message's answers wait for the kernel work its handling asks,
	// a command's too (takePrimary moves the routes).
	a.waits.Begin()
	switch ctx.Message().(type) {
	case *actor.Started:
		a.started(ctx)
		return
	case *actor.Restarting:
		a.restarting()
		return
	case *actor.Stopping:
		// by its supervisor (failed too often) or as the agent stops
		a.stopping(ipc.Code(lease.Orphaned(lease.FailedActor, a.closing)))
		return
	}
	if q, ok := ctx.Message().(*messages.StatusQuery); ok {
		q.Reply <- a.status() // the manager's status of all
		return
	}
	if a.stashForRecord(ctx) {
		return
	}
	if a.inc.ended {
		a.retiring(ctx)
		return
	}
	switch msg := ctx.Message().(type) {
	case *messages.Command:
		a.inc.current = msg
		a.command(msg)
		a.inc.current = nil
	case *messages.Resume:
		a.start() // the machine ignores it unless idle
	case *cancelled:
		a.cancel(msg.id)
	case *messages.Shutdown:
		a.shutdown(msg)
	case *messages.Primary:
		a.setPrimary(msg.On)
	case *messages.Link:
		a.linkChanged(msg)
	case *messages.ClockJump:
		a.handle(lease.Verify{})
	case *messages.Reconfigure:
		a.reconfigure()
	case *messages.Inbound:
		if msg.Err != nil {
			a.malformed(msg.Err)
			return
		}
		a.log.Debug("received", zap.Stringer("type", msg.Msg.MessageType()),
			zap.Uint32("xid", lease.XID(msg.Msg)), zap.Stringer("state", a.m.State()))
		a.handle(lease.Received{Msg: msg.Msg})
	case *messages.ARPInbound:
		p := msg.Packet
		a.handle(lease.ARPSeen{SenderHW: p.SenderHW, SenderIP: p.SenderIP, TargetIP: p.TargetIP})
	case *messages.TimerFired:
		if a.timers.Fired(msg.Timer, msg.Gen) {
			a.handle(lease.Timeout{Timer: msg.Timer})
		}
	case *hook.Outcome:
		a.hooks.Done(msg)
	case *kernelDone:
		a.kernelDone(msg)
	case *kernelLate:
		a.waits.Expired(msg.seq)
	}
}

// started builds the machine; a restarted incarnation then rebuilds the
// lease from the store and the kernel and carries on.
func (a *iface) started(ctx actor.Context) {
	a.root = ctx.ActorSystem().Root
	a.self = ctx.Self()
	a.parent = ctx.Parent()
	root, self := a.root, a.self
	a.timers = clock.NewTimers(a.env.Clock, &a.env.gens, func(t lease.Timer, gen uint64) {
		root.Send(self, &messages.TimerFired{Timer: t, Gen: gen})
	})
	a.listener = a.newListener()
	a.hooks = a.newDriver()
	a.waits = a.newWaiting()
	cfg, err := leaseConfig(a.env, a.link)
	if err != nil {
		a.log.Error("bad configuration for the interface", zap.Error(err))
	}
	a.m = lease.New(cfg, transport.Rand{Router: a.env.Router})
	// Numbered across incarnations: a cancel of the failed incarnation's,
	// still in the mailbox, must not withdraw a command of this one.
	a.pending = messages.Pending{Gone: func(id uint64) { root.Send(self, &cancelled{id: id}) },
		Next: a.env.gens.Next}
	if a.inc.deleted {
		a.linkDeleted()
		return
	}
	if a.loadRecord() || a.inc.record.Len() > 0 { // persist.go
		a.resumeOnRecord()
		return
	}
	a.resumeAfterRestart()
}

// resumeAfterRestart resumes a restarted incarnation's interface if it was
// running.
func (a *iface) resumeAfterRestart() {
	carried := a.inc.carried
	a.inc.carried = nil
	if !a.inc.running || a.inc.ended {
		return
	}
	a.log.Warn("interface actor restarted: resuming from the store")
	if carried == nil {
		a.start()
		return
	}
	// The start the failed incarnation held (messages.Pending.Carry) is
	// retried as it was asked, with the stored lease, and answered once
	// bound.
	ev, _ := a.translate(carried.Req)
	a.post(carried, false, ev)
}

// start leaves INIT: with a stored lease that is still valid the machine
// verifies it with INIT-REBOOT, adopting the address if it is still on the
// interface; otherwise it acquires afresh. It is the agent's own start
// (resumed at start-up, a link that came back, a restarted actor), so the
// address probe waits PROBE_WAIT first (SPEC §2 "Binding").
func (a *iface) start() {
	prior, adopted := a.restore()
	a.inc.running = true
	a.handle(lease.Start{Prior: prior, Adopted: adopted, Boot: true})
}

// reconfigure takes the configuration file's new content (SIGHUP) and
// applies the held lease again under it; a bad one changes nothing.
func (a *iface) reconfigure() {
	cfg, err := leaseConfig(a.env, a.link)
	if err != nil {
		a.log.Error("bad configuration for the interface; keeping the old one", zap.Error(err))
		return
	}
	a.m.SetConfig(cfg)
	a.reapply()
}

// linkChanged follows the carrier (SPEC §2): lost, keep the lease and stop
// sending; back, verify. A deleted link ends the actor; its lease record
// stays for when the interface returns.
func (a *iface) linkChanged(l *messages.Link) {
	switch {
	case l.Deleted:
		a.inc.deleted = true
		a.linkDeleted()
	case l.Up:
		a.log.Info("carrier back")
		a.handle(lease.LinkUp{})
	default:
		a.log.Info("carrier lost: keeping the lease, sending nothing")
		a.handle(lease.LinkDown{})
	}
}

// linkDeleted ends the actor of an interface whose link was deleted.
func (a *iface) linkDeleted() {
	a.log.Warn("interface deleted: no longer managed; its lease record is kept")
	a.kern.Do(a.kern.Forget) // its DNS and host name outlive the link (kernel.Worker.Forget)
	a.stopping(ipc.ErrUnkIf)
	a.root.Stop(a.self) // the manager routes nothing more to it
}

// onLink reports whether p is on the interface, from the host's address
// list in memory (kernel.AddrTable).
func (a *iface) onLink(p netip.Prefix) bool {
	return a.env.HostAddrs.Holds(kernel.IfAddr{Ifindex: a.link.Index, Prefix: p})
}

// retiring answers what still reaches an actor whose interface was dropped
// or released, until the manager's Retire: it is not managed any more.
func (a *iface) retiring(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.Retire:
		ctx.Stop(ctx.Self())
	case *messages.Command: // routed before the manager heard it was dropped
		msg.Answer(messages.Fail(ipc.Code(lease.Orphaned(lease.NotManaged, false)), "%s is not managed", a.link.Name))
	case *messages.Shutdown:
		msg.Reply <- messages.OK()
	}
}
