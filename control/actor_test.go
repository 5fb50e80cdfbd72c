package control

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock/clocktest"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/version"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
)

// quietSystem is an actor system whose own log is discarded.
func quietSystem(t *testing.T) *actor.ActorSystem {
	t.Helper()
	system := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
	t.Cleanup(system.Shutdown)
	return system
}

// namingPart is a fake manager or admin actor that answers every command
// OK with its own name as the message.
func namingPart(system *actor.ActorSystem, name string) *actor.PID {
	return system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if c, ok := ctx.Message().(*messages.Command); ok {
			c.Answer(&messages.Result{Message: name})
		}
	}))
}

// TestRoutes: the IPC actor answers version itself, refuses what the
// caller may not do or what is unknown, sends interface and address
// objects to the admin actor (INVALID when there is none) and the rest
// to the manager. The wire's id comes back with each answer.
func TestRoutes(t *testing.T) {
	const gid = 4242
	user, member := ipc.Caller{UID: 1000, GID: 1000}, ipc.Caller{UID: 1000, GID: 1000, Groups: []uint32{gid}}
	for _, tc := range []struct {
		name    string
		noAdmin bool
		caller  ipc.Caller
		command string
		want    ipc.Reply // Version and ID are the request's
	}{
		{name: "version", caller: user, command: ipc.CmdVersion, want: ipc.Reply{Message: version.String()}},
		{name: "status to the manager", caller: user, command: ipc.CmdStatus, want: ipc.Reply{Message: "manager"}},
		{name: "show-if to the admin actor", caller: user, command: ipc.CmdShowIf, want: ipc.Reply{Message: "admin"}},
		{name: "show-if without an admin actor", noAdmin: true, caller: user, command: ipc.CmdShowIf,
			want: ipc.Reply{Error: ipc.ErrInvalid, Message: "interface administration is not available"}},
		{name: "start by a user", caller: user, command: ipc.CmdStart, want: ipc.Reply{Error: ipc.ErrPerm}},
		{name: "start by the admin group", caller: member, command: ipc.CmdStart, want: ipc.Reply{Message: "manager"}},
		{name: "start by root", command: ipc.CmdStart, want: ipc.Reply{Message: "manager"}},
		{name: "unknown", command: "nonsense", want: ipc.Reply{Error: ipc.ErrInvalid}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			system := quietSystem(t)
			manager, admin := namingPart(system, "manager"), namingPart(system, "admin")
			if tc.noAdmin {
				admin = nil
			}
			pid := system.Root.Spawn(props(manager, admin, zap.NewNop(), gid, clocktest.New(time.Unix(0, 0))))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got := Forward(ctx, system.Root, pid, tc.caller, &ipc.Request{Version: ipc.Version, ID: 77,
				Command: tc.command, Ifname: "eth0"})
			if ctx.Err() != nil {
				t.Fatal("no answer within 5 s")
			}
			want := tc.want
			want.Version, want.ID = ipc.Version, 77
			if want.Error != "" && want.Message == "" {
				want.Message = got.Message // the refusal's wording is messages.FromWire's
			}
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.command, diff)
			}
		})
	}
}
