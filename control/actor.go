package control

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/version"
	"go.uber.org/zap"
)

// orphanWait is how long a command that was sent to a part (manager,
// admin actor) before it stopped for good is left to the part's own
// answer: what it held and answers as it stops (Scheduler.Stopping), an
// ipadm job that runs on and answers when done, an answer waiting behind
// its record. A job still running past a minute is hung (the restarted
// admin actor waits as long for its predecessor's); the command is then
// answered INTERNAL, so that a `--wait -1` caller does not wait for ever
// for a mailbox that was discarded (SPEC §3: exactly one answer).
const orphanWait = time.Minute

// ipcActor receives every control request, logs it with the caller,
// rejects what the caller may not do, translates the rest into typed
// commands (messages.FromWire) and forwards them: interface and address
// objects to the admin actor, the rest to the manager. It never touches
// lease state.
//
// It watches both: one that has stopped for good (its supervisor gave up
// on it after repeated panics, protoactor's default for the agent's
// top-level actors) has its requests answered INTERNAL at once, never
// sent to a PID whose mailbox is gone; and what was sent to it before is
// answered INTERNAL after orphanWait unless it answered itself (part).
type ipcActor struct {
	manager  *part
	admin    *part // nil: no interface administration
	log      *zap.Logger
	adminGID int64 // members of this group are privileged; -1: none
	clock    clock.Clock
	// current is the request being handled: answered INTERNAL if its
	// handling fails, for the restart drops it (SPEC §3: exactly one
	// answer).
	current *wireRequest
}

// orphaned asks the IPC actor to answer what is left unanswered of the
// commands sent to a part that stopped for good (orphanWait after). It
// names the part by PID, not by the incarnation's part: a restarted IPC
// actor starts with parts of its own, to which the timer of its
// predecessor leaves nothing.
type orphaned struct{ pid *actor.PID }

// Props is the IPC actor's Props; it forwards to the manager, and
// interface administration to admin (which may be nil: then INVALID).
// Root and, when adminGID is not -1, members of that group are privileged.
func Props(manager, admin *actor.PID, log *zap.Logger, adminGID int64) *actor.Props {
	return props(manager, admin, log, adminGID, clock.Real{})
}

// props is Props with the clock of the orphanWait timers.
func props(manager, admin *actor.PID, log *zap.Logger, adminGID int64, clk clock.Clock) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		a := &ipcActor{manager: newPart(manager, "the interface manager (ifaces actor)"),
			log: log, adminGID: adminGID, clock: clk}
		if admin != nil {
			a.admin = newPart(admin, "the interface administration (ipadm actor)")
		}
		return a
	})
}

func (a *ipcActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		// Also after a restart of this actor: a part that is gone
		// already is reported at once (protoactor answers a Watch of a
		// PID that no longer exists with Terminated, before the next
		// request is taken).
		for _, p := range a.parts() {
			ctx.Watch(p.pid)
		}
	case *actor.Terminated:
		if p := a.partOf(msg.Who); p != nil {
			a.stopped(ctx, p)
		}
	case *orphaned:
		if p := a.partOf(msg.pid); p != nil {
			p.orphan()
		}
	case *actor.Restarting:
		if w := a.current; w != nil {
			select {
			case w.reply <- messages.Fail(ipc.ErrInternal, "the control actor failed while handling the request"):
			default: // answered before it failed
			}
		}
	case *wireRequest:
		a.current = msg
		a.request(ctx, msg)
		a.current = nil
	}
}

func (a *ipcActor) request(ctx actor.Context, w *wireRequest) {
	req := w.req
	a.log.Info("command", zap.String("command", req.Command), zap.String("iface", req.Ifname),
		zap.String("object", req.Args[ipc.ArgObject]),
		zap.Uint32("uid", w.caller.UID), zap.Int32("pid", w.caller.PID), zap.Uint64("id", req.ID))
	c, fail := messages.FromWire(req, w.caller.Privileged(a.adminGID))
	if fail != nil {
		select {
		case w.reply <- fail: // the first and only answer: there is room for it
		default:
		}
		return
	}
	c.Ctx, c.Reply = w.ctx, w.reply
	switch c.Req.(type) {
	case messages.Version:
		c.Answer(&messages.Result{Message: version.String()})
	case messages.AdminRequest:
		if a.admin == nil {
			c.Answer(messages.Fail(ipc.ErrInvalid, "interface administration is not available"))
			return
		}
		a.admin.send(ctx, c)
	default:
		a.manager.send(ctx, c)
	}
}

// stopped takes note that the part p has stopped for good: no request is
// sent to it any more, and what it was sent is answered orphanWait on.
func (a *ipcActor) stopped(ctx actor.Context, p *part) {
	waiting, first := p.stop()
	if !first {
		return
	}
	if waiting > 0 {
		root, self, pid := ctx.ActorSystem().Root, ctx.Self(), p.pid
		a.clock.AfterFunc(orphanWait, func() { root.Send(self, &orphaned{pid: pid}) })
	}
	// Logged once all is in place (the tests wait for this word).
	a.log.Error("a part of the agent stopped for good; its commands are answered INTERNAL",
		zap.String("part", p.name), zap.String("actor", p.pid.Id), zap.Int("waiting", waiting))
}

// parts are the parts the IPC actor forwards to.
func (a *ipcActor) parts() []*part {
	if a.admin == nil {
		return []*part{a.manager}
	}
	return []*part{a.manager, a.admin}
}

// partOf is the part whose PID is pid, nil for none.
func (a *ipcActor) partOf(pid *actor.PID) *part {
	for _, p := range a.parts() {
		if p.pid.Equal(pid) {
			return p
		}
	}
	return nil
}
