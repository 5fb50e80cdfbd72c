package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/version"
	"go.uber.org/zap"
)

// privileged lists the commands only root may give (SPEC §3).
var privileged = map[string]bool{
	ipc.CmdStart:   true,
	ipc.CmdDrop:    true,
	ipc.CmdRelease: true,
	ipc.CmdExtend:  true,
	ipc.CmdInform:  true,
	ipc.CmdStatus:  false,
	ipc.CmdPing:    false,
	ipc.CmdInfo:    false,
	ipc.CmdWatch:   false,
	ipc.CmdVersion: false,
	ipc.CmdPanic:   true,
	ipc.CmdStats:   false,

	ipc.CmdCreateIf:    true,
	ipc.CmdDeleteIf:    true,
	ipc.CmdEnableIf:    true,
	ipc.CmdDisableIf:   true,
	ipc.CmdShowIf:      false,
	ipc.CmdCreateAddr:  true,
	ipc.CmdDeleteAddr:  true,
	ipc.CmdRefreshAddr: true,
	ipc.CmdShowAddr:    false,
}

// administrative commands go to the admin actor, the rest to the manager.
var administrative = map[string]bool{
	ipc.CmdCreateIf: true, ipc.CmdDeleteIf: true, ipc.CmdEnableIf: true, ipc.CmdDisableIf: true,
	ipc.CmdShowIf: true, ipc.CmdCreateAddr: true, ipc.CmdDeleteAddr: true, ipc.CmdRefreshAddr: true,
	ipc.CmdShowAddr: true,
}

// ipcActor receives every control request, logs it with the caller,
// rejects what the caller may not do and forwards the rest to the manager.
// It never touches lease state.
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

// privileged reports whether the caller may change things (SPEC §3).
func (a *ipcActor) privileged(c ipc.Caller) bool {
	return c.UID == 0 || a.adminGID >= 0 && c.InGroup(uint32(a.adminGID))
}

func (a *ipcActor) Receive(ctx actor.Context) {
	c, ok := ctx.Message().(*messages.Command)
	if !ok {
		return
	}
	req := c.Req
	a.log.Info("command", zap.String("command", req.Command), zap.String("iface", req.Ifname),
		zap.Uint32("uid", c.Caller.UID), zap.Int32("pid", c.Caller.PID), zap.Uint64("id", req.ID))
	priv, known := privileged[req.Command]
	switch {
	case !known:
		c.Answer(ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command))
	case req.Command == ipc.CmdVersion:
		r := ipc.OK(req)
		r.Message = version.String()
		c.Answer(r)
	case priv && !a.privileged(c.Caller):
		c.Answer(ipc.Fail(req, ipc.ErrPerm, "%s needs root or the admin group", req.Command))
	case administrative[req.Command] && a.admin == nil:
		c.Answer(ipc.Fail(req, ipc.ErrInvalid, "interface administration is not available"))
	case administrative[req.Command]:
		ctx.Send(a.admin, c)
	default:
		ctx.Send(a.manager, c)
	}
}
