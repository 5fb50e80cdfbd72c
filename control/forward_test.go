package control

import (
	"context"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// The ping a TIMEOUT sends behind its command (settled) is withdrawn with
// its caller: it carried the server's context, never done, so each
// ping IF --wait 0 of any user during a hung record read left a ping
// held that no pruning could let go.
func TestSettledBarrierWithdrawn(t *testing.T) {
	system := actor.NewActorSystem()
	barriers := make(chan *wireRequest, 4)
	fake := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		w, ok := ctx.Message().(*wireRequest)
		if !ok {
			return
		}
		if w.req.WaitMs != nil {
			return // the command itself: never answered, as while a record loads
		}
		barriers <- w
		w.reply <- messages.OK() // the barrier is in
	}))
	defer system.Root.Stop(fake)
	wait := int64(0)
	r := Forward(context.Background(), system.Root, fake, ipc.Caller{UID: 1000},
		&ipc.Request{Version: ipc.Version, ID: 9, Command: ipc.CmdPing, Ifname: "eth0", WaitMs: &wait})
	if r.Error != ipc.ErrTimeout {
		t.Fatalf("ping --wait 0 = %+v, want TIMEOUT", r)
	}
	select {
	case b := <-barriers:
		if b.ctx.Err() == nil {
			t.Fatal("the barrier ping's caller still waits after the TIMEOUT: it is never let go")
		}
	default:
		t.Fatal("no barrier ping")
	}
}
