package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipadm/run"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// admin owns interface and address objects (SPEC §4): the persistent
// configuration in the store and the active one in the kernel. Package
// ipadm decides what a command does (a plan of kernel steps, manager
// commands and store writes, or its refusal) and package ipadm/run
// carries a plan out; this actor orders them: one plan at a time, in the
// order the commands came, on a goroutine, so that its Receive never
// waits for netlink or an fsync. Later commands wait in its queue;
// listings are answered meanwhile (run gathers what they show on a
// goroutine) from the configuration committed so far.
type admin struct {
	runner *run.Runner
	store  Store // the persistent configuration is read from it at start
	// committed is shared by every incarnation of the admin actor: a
	// restarted one starts from what the earlier ones committed.
	committed *run.Committed
	self      *actor.PID
	root      *actor.RootContext
	log       *zap.Logger
	cfg       ipadm.Configs // committed: what the store and the kernel have
	busy      bool          // a job runs (or the store is being read)
	queue     run.Queue     // closing once the agent stops: nothing new is configured
	// booting holds the listings while the persistent configuration is
	// read and brought up.
	booting run.Hold
}

// Messages the admin actor posts itself.
type (
	// adminLoaded: the persistent configuration was read at start-up, or
	// both configurations an earlier incarnation committed (active set).
	// by, as adminDone's: an earlier incarnation's read is ignored.
	adminLoaded struct {
		persist, active *ipadm.Config
		by              *run.Runner
	}
	// adminDone: a job's plans ran; cfg is what they committed. by is
	// the incarnation's runner: a restarted actor ignores an earlier one's.
	adminDone struct {
		cfg ipadm.Configs
		by  *run.Runner
	}
)

// AdminProps is the admin actor's Props.
func AdminProps(env *Env, manager *actor.PID) *actor.Props {
	committed := run.NewCommitted() // shared by the incarnations
	return actor.PropsFromProducer(func() actor.Actor {
		log := env.Log.Named("ipadm")
		a := &admin{store: env.Store, committed: committed, log: log, cfg: ipadm.NewConfigs()}
		a.runner = &run.Runner{Links: env.Admin, Net: env.Net, Addrs: &env.HostAddrs, Store: env.Store,
			Manager: func(c *messages.Command) { a.root.Send(manager, c) }, DropWait: shutdownWait, Log: log}
		return a
	})
}

func (a *admin) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.self, a.root, a.busy = ctx.Self(), ctx.ActorSystem().Root, true
		a.booting.Start()
		go a.load()
	case *adminLoaded:
		if msg.by != a.runner {
			return
		}
		a.cfg.Persist, a.busy = msg.persist, false
		switch {
		case msg.active != nil:
			// A restart: what the kernel has stays known, and nothing is
			// replayed (a disabled interface stays down).
			a.cfg.Active = msg.active
			a.booted()
		default:
			// Replay goes first: commands that came meanwhile wait behind
			// it. After SIGTERM nothing is brought up.
			a.queue.First(run.Job{Decide: func(c ipadm.Configs) ([]ipadm.Plan, error) { return c.Replay(), nil }})
		}
		a.next()
	case *actor.Restarting:
		// A restart drops the queue: answer what it holds.
		a.queue.Drop(messages.Fail(ipc.ErrInternal, "the interface administration restarted"))
		a.booting.Drop(messages.Fail(ipc.ErrInternal, "the interface administration restarted"))
	case *adminDone:
		if msg.by != a.runner {
			return
		}
		a.cfg, a.busy = msg.cfg, false
		a.booted()
		a.next()
	case *messages.Command:
		a.command(msg)
	case *messages.Shutdown:
		a.stop(msg)
	}
}

// booted ends the start-up: the listings held meanwhile are answered.
func (a *admin) booted() {
	for _, c := range a.booting.End() {
		a.command(c)
	}
}

// load reads the persistent configuration, off Receive; after a restart,
// it takes what the earlier incarnation committed, once the job it was
// running (a restart does not stop it) is done: read before, that job's
// object would be lost from the next write.
func (a *admin) load() {
	t := time.NewTimer(shutdownWait)
	defer t.Stop()
	prior, ok := a.committed.Load(t.C)
	if !ok {
		a.log.Error("an earlier job still runs; reading the interface configuration anyway")
	}
	if prior != nil {
		a.root.Send(a.self, &adminLoaded{persist: prior.Persist, active: prior.Active, by: a.runner})
		return
	}
	a.root.Send(a.self, &adminLoaded{persist: run.Load(a.store, a.log), by: a.runner})
}

// command answers a listing at once, from the committed configuration, and
// queues a change.
func (a *admin) command(c *messages.Command) {
	switch c.Req.(type) {
	case messages.ShowIf, messages.ShowAddr:
		if a.booting.Keep(c) {
			return
		}
	}
	switch r := c.Req.(type) {
	case messages.ShowIf:
		a.runner.ShowIf(a.cfg, c)
		return
	case messages.ShowAddr:
		a.runner.ShowAddr(a.cfg, c, r.Object)
		return
	}
	decide, ok := messages.PlanOf(c)
	switch {
	case !ok:
		c.Answer(messages.Fail(ipc.ErrInvalid, "%T is not an administrative command", c.Req))
	default:
		a.queue.Add(c, func(s ipadm.Configs) ([]ipadm.Plan, error) {
			p, err := decide(s)
			return []ipadm.Plan{p}, err
		})
		a.next()
	}
}

// stop answers the queued commands SHUTDOWN (nothing they would configure
// is applied) and, once the running job is done, removes the temporary
// static addresses, then answers s.
func (a *admin) stop(s *messages.Shutdown) {
	a.queue.Stop(run.Job{Done: s.Reply, Decide: func(c ipadm.Configs) ([]ipadm.Plan, error) {
		return []ipadm.Plan{c.Shutdown()}, nil
	}})
	a.next()
}

// next starts the first queued job unless one runs. A refusal is answered
// at once; a plan runs on a goroutine, which posts what it committed
// (adminDone) before the command is answered, so that whatever its caller
// does next sees it.
func (a *admin) next() {
	for !a.busy {
		j, ok := a.queue.Next()
		if !ok {
			return
		}
		plans, err := j.Decide(a.cfg)
		if err != nil {
			j.C.Answer(run.Failure(err))
			continue
		}
		a.busy = true
		go func(cfg ipadm.Configs) {
			a.committed.Begin() // an earlier incarnation's job is done
			a.runner.Run(cfg, plans, j.C, func(cfg ipadm.Configs) {
				a.committed.Store(cfg)
				a.root.Send(a.self, &adminDone{cfg: cfg, by: a.runner})
			})
			if j.Done != nil {
				select {
				case j.Done <- messages.OK():
				default: // its one answer is buffered
				}
			}
		}(a.cfg)
	}
}
