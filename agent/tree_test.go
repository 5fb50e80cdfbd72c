package agent

import (
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// boom makes a fake top-level actor panic; ping asks it to answer.
type (
	boom struct{}
	ping struct{ reply chan struct{} }
)

func quietSystem(t *testing.T) *actor.ActorSystem {
	t.Helper()
	system := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
	t.Cleanup(system.Shutdown)
	return system
}

// fragile is a top-level actor as the agent's are (spawned by the root:
// protoactor's default supervision) that panics at boom.
func fragile(system *actor.ActorSystem) *actor.PID {
	return system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case boom:
			panic("boom")
		case ping:
			close(m.reply)
		}
	}))
}

func lostWithin(t *testing.T, lost <-chan *actor.PID, want *actor.PID) {
	t.Helper()
	select {
	case got := <-lost:
		if !got.Equal(want) {
			t.Fatalf("lost %s, want %s", got.Id, want.Id)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s was not reported lost within 5 s", want.Id)
	}
}

// TestWatchLostPastRestartLimit: a top-level actor that panics is
// restarted 10 times (within 10 s, DefaultSupervisorStrategy) and then
// stopped for good; watchLost reports it then, and Run ends on it instead
// of serving on with no lease maintained.
func TestWatchLostPastRestartLimit(t *testing.T) {
	system := quietSystem(t)
	manager, ipcPID := fragile(system), fragile(system)
	lost, err := watchLost(system.Root, manager, ipcPID)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		system.Root.Send(manager, boom{})
	}
	alive := ping{reply: make(chan struct{})}
	system.Root.Send(manager, alive)
	select {
	case <-alive.reply: // restarted each time: not lost
	case <-time.After(5 * time.Second):
		t.Fatal("the manager did not answer after 10 restarts")
	}
	select {
	case pid := <-lost:
		t.Fatalf("%s reported lost while it restarts", pid.Id)
	default:
	}
	system.Root.Send(manager, boom{}) // the 11th within 10 s
	lostWithin(t, lost, manager)
}

// TestWatchLostAlreadyGone: an actor that stopped before the watch began
// is reported all the same; one not watched (the admin actor) is not.
func TestWatchLostAlreadyGone(t *testing.T) {
	system := quietSystem(t)
	manager, admin, ipcPID := fragile(system), fragile(system), fragile(system)
	if err := system.Root.StopFuture(ipcPID).Wait(); err != nil {
		t.Fatal(err)
	}
	lost, err := watchLost(system.Root, manager, ipcPID)
	if err != nil {
		t.Fatal(err)
	}
	lostWithin(t, lost, ipcPID)
	if err := system.Root.StopFuture(admin).Wait(); err != nil {
		t.Fatal(err)
	}
	system.Root.Stop(manager)
	lostWithin(t, lost, manager) // first: the admin actor's stop was not reported
}

// TestStopLostKeepsInterfaces: once an actor is lost, Run's stop drops,
// releases or removes nothing (no Shutdown to the admin actor or the
// manager), as after a kill -9, for the next agent to resume every
// lease; at SIGTERM both are asked.
func TestStopLostKeepsInterfaces(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lost  bool
		asked int
	}{
		{name: "SIGTERM", asked: 2},
		{name: "manager lost", lost: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			system := quietSystem(t)
			asked := make(chan string, 2)
			answering := func(name string) *actor.PID {
				return system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
					if s, ok := ctx.Message().(*messages.Shutdown); ok {
						asked <- name
						s.Reply <- messages.OK()
					}
				}))
			}
			tr := &tree{system: system, admin: answering("admin"), manager: answering("manager")}
			var lost *actor.PID
			if tc.lost {
				lost = tr.manager
			}
			tr.stop(lost, false, zap.NewNop())
			// shutdown waits for each answer: what was asked is in.
			if len(asked) != tc.asked {
				t.Fatalf("%d actors asked to give up their interfaces, want %d", len(asked), tc.asked)
			}
		})
	}
}
