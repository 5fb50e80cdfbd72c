package agent

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// Review by attack (h5): SIGTERM while the admin actor never answers (its
// job hung in a netlink call or an fsync): the manager is still asked to
// drop every interface once adminWait has passed, and is waited for, so
// that the leases get their drops within the whole bound; the admin
// actor's share used to be all of it, and the agent exited as soon as it
// had asked the manager.
func TestReview2ShutdownAdminHangs(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	got := make(chan chan<- *messages.Result, 1)
	spawn := func(f actor.ReceiveFunc) *actor.PID { return system.Root.Spawn(actor.PropsFromFunc(f)) }
	tr := &tree{system: system,
		admin: spawn(func(actor.Context) {}), // never answers
		manager: spawn(func(c actor.Context) {
			if s, ok := c.Message().(*messages.Shutdown); ok {
				got <- s.Reply
			}
		}),
	}
	done := make(chan struct{})
	go func() {
		tr.shutdown(false, 50*time.Millisecond, time.Hour, zap.NewNop())
		close(done)
	}()
	var reply chan<- *messages.Result
	select {
	case reply = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the manager was not asked to stop while the admin actor hung")
	}
	select {
	case <-done:
		t.Fatal("shutdown returned before the manager's drops were done")
	default:
	}
	reply <- messages.OK()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown did not return once the manager was done")
	}
}
