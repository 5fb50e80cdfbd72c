package control

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/google/go-cmp/cmp"
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

// fakeIPC is a stand-in for the IPC actor: it hands every request it
// receives to the test, which answers it or not.
func fakeIPC(t *testing.T) (*actor.ActorSystem, *actor.PID, <-chan *wireRequest) {
	t.Helper()
	system := quietSystem(t)
	got := make(chan *wireRequest, 8)
	pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if w, ok := ctx.Message().(*wireRequest); ok {
			got <- w
		}
	}))
	return system, pid, got
}

// TestForwardShutdown: a caller still waiting when the server's context
// ends is answered SHUTDOWN, with its id.
func TestForwardShutdown(t *testing.T) {
	system, pid, got := fakeIPC(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-got // taken, never answered
		cancel()
	}()
	forever := int64(-1)
	r := Forward(ctx, system.Root, pid, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 5,
		Command: ipc.CmdStart, Ifname: "eth0", WaitMs: &forever})
	if r.ID != 5 || r.Error != ipc.ErrShutdown {
		t.Fatalf("start as the server stops = %+v, want SHUTDOWN with id 5", r)
	}
}

// TestForwardTimeoutNoInterface: a request that names no interface is
// answered TIMEOUT when its wait runs out, with no ping behind it (there
// is no interface whose records it would wait for), and its caller's wait
// is done, withdrawing it.
func TestForwardTimeoutNoInterface(t *testing.T) {
	system, pid, got := fakeIPC(t)
	wait := int64(0)
	r := Forward(context.Background(), system.Root, pid, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 6,
		Command: ipc.CmdShowIf, WaitMs: &wait})
	if r.ID != 6 || r.Error != ipc.ErrTimeout {
		t.Fatalf("show-if --wait 0 = %+v, want TIMEOUT with id 6", r)
	}
	probe := &ipc.Request{Command: "probe"}
	Submit(context.Background(), system.Root, pid, ipc.Caller{}, probe, make(chan *messages.Result, 1))
	var seen []string
	for done := false; !done; {
		select {
		case w := <-got:
			seen = append(seen, w.req.Command)
			if done = w.req == probe; !done && w.ctx.Err() == nil {
				t.Errorf("%s: its caller still waits after the TIMEOUT", w.req.Command)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the probe did not arrive within 5 s; got %v", seen)
		}
	}
	if diff := cmp.Diff([]string{ipc.CmdShowIf, "probe"}, seen); diff != "" {
		t.Fatalf("requests the IPC actor got (-want +got):\n%s", diff)
	}
}

// TestForwardResultWhileSettling: a command's own result that comes while
// the TIMEOUT waits for its ping (settled) is the answer, not TIMEOUT.
func TestForwardResultWhileSettling(t *testing.T) {
	system, pid, got := fakeIPC(t)
	go func() {
		cmd := <-got
		ping := <-got
		cmd.reply <- messages.Fail(ipc.ErrFailedIf, "its own") // before the ping's answer
		ping.reply <- messages.OK()
	}()
	wait := int64(0)
	r := Forward(context.Background(), system.Root, pid, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 8,
		Command: ipc.CmdStart, Ifname: "eth0", WaitMs: &wait})
	if r.ID != 8 || r.Error != ipc.ErrFailedIf {
		t.Fatalf("start --wait 0 answered while settling = %+v, want its own FAILEDIF with id 8", r)
	}
}
