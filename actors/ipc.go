package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/version"
	"go.uber.org/zap"
)

// ipcActor receives every control request, logs it with the caller,
// rejects what the caller may not do, translates the rest into typed
// commands (messages.FromWire) and forwards them: interface and address objects to
// the admin actor, the rest to the manager. It never touches lease state.
type ipcActor struct {
	manager  *actor.PID
	admin    *actor.PID
	log      *zap.Logger
	adminGID int64 // members of this group are privileged; -1: none
}

// IPCProps is the IPC actor's Props; it forwards to the manager, and
// interface administration to admin (which may be nil: then INVALID).
// Root and, when adminGID is not -1, members of that group are privileged.
func IPCProps(manager, admin *actor.PID, log *zap.Logger, adminGID int64) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &ipcActor{manager: manager, admin: admin, log: log, adminGID: adminGID}
	})
}

func (a *ipcActor) Receive(ctx actor.Context) {
	w, ok := ctx.Message().(*wireRequest)
	if !ok {
		return
	}
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
		ctx.Send(a.admin, c)
	default:
		ctx.Send(a.manager, c)
	}
}
