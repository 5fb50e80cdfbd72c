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
// commands (messages.FromWire) and forwards them: interface and address objects to
// the admin actor, the rest to the manager. It never touches lease state.
//
// It watches both: one that has stopped for good (its supervisor gave up
// on it after repeated panics, protoactor's default for the agent's
// top-level actors) has its requests answered INTERNAL at once, never
// sent to a PID whose mailbox is gone; and what was sent to it before is
// answered INTERNAL after orphanWait unless it answered itself.
type ipcActor struct {
	manager  *actor.PID
	admin    *actor.PID
	log      *zap.Logger
	adminGID int64 // members of this group are privileged; -1: none
	clock    clock.Clock
	// gone are the parts that stopped for good, by PID id; sent the
	// commands forwarded to each part and not yet answered.
	gone map[string]bool
	sent messages.Inflight
}

// orphaned asks the IPC actor to answer what is left unanswered of the
// commands sent to a part that stopped for good (orphanWait after).
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
		return &ipcActor{manager: manager, admin: admin, log: log, adminGID: adminGID, clock: clk,
			gone: make(map[string]bool), sent: make(messages.Inflight)}
	})
}

func (a *ipcActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		// Also after a restart of this actor: a part that is gone
		// already is reported at once (protoactor answers a Watch of a
		// PID that no longer exists with Terminated, before the next
		// request is taken).
		for _, pid := range []*actor.PID{a.manager, a.admin} {
			if pid != nil {
				ctx.Watch(pid)
			}
		}
	case *actor.Terminated:
		a.stopped(ctx, msg.Who)
	case *orphaned:
		for _, c := range a.sent.Take(msg.pid) {
			c.Answer(messages.Fail(ipc.ErrInternal, "%s stopped before it answered the command", a.part(msg.pid)))
		}
	case *wireRequest:
		a.request(ctx, msg)
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
		a.forward(ctx, a.admin, c)
	default:
		a.forward(ctx, a.manager, c)
	}
}

// forward sends c to the part pid, or answers it INTERNAL when that part
// has stopped for good.
func (a *ipcActor) forward(ctx actor.Context, pid *actor.PID, c *messages.Command) {
	if a.gone[pid.Id] {
		c.Answer(messages.Fail(ipc.ErrInternal, "%s stopped for good after repeated failures; restart the agent", a.part(pid)))
		return
	}
	a.sent.Add(pid, c) // holds no more than the callers waiting now
	ctx.Send(pid, c)
}

// stopped takes note that the part pid has stopped for good: no request
// is sent to it any more, and what it was sent is answered orphanWait on.
func (a *ipcActor) stopped(ctx actor.Context, pid *actor.PID) {
	if a.gone[pid.Id] || (!pid.Equal(a.manager) && !pid.Equal(a.admin)) {
		return
	}
	a.gone[pid.Id] = true
	if len(a.sent[pid.Id]) > 0 {
		root, self := ctx.ActorSystem().Root, ctx.Self()
		a.clock.AfterFunc(orphanWait, func() { root.Send(self, &orphaned{pid: pid}) })
	}
	// Logged once all is in place (the tests wait for this word).
	a.log.Error("a part of the agent stopped for good; its commands are answered INTERNAL",
		zap.String("part", a.part(pid)), zap.String("actor", pid.Id), zap.Int("waiting", len(a.sent[pid.Id])))
}

// part names pid for an operator: which part of the agent failed.
func (a *ipcActor) part(pid *actor.PID) string {
	if pid.Equal(a.admin) {
		return "the interface administration (ipadm actor)"
	}
	return "the interface manager (ifaces actor)"
}
