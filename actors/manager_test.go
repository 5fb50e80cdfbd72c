package actors

import (
	"slices"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/roster"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// supervisor is the part of protoactor's supervisor HandleFailure uses:
// it records what it was told to do with which child.
type supervisor struct{ stopped, restarted []*actor.PID }

var _ actor.Supervisor = (*supervisor)(nil)

func (s *supervisor) Children() []*actor.PID       { return nil }
func (s *supervisor) EscalateFailure(any, any)     {}
func (s *supervisor) ResumeChildren(...*actor.PID) {}
func (s *supervisor) RestartChildren(p ...*actor.PID) {
	s.restarted = append(s.restarted, p...)
}
func (s *supervisor) StopChildren(p ...*actor.PID) { s.stopped = append(s.stopped, p...) }

// HandleFailure restarts a failing interface actor until it has failed
// too often, then stops it and marks its interface FAILED: only while it
// is the actor its interface's commands go to. One that fails after the
// manager stopped routing to it (its link was deleted, a command ahead of
// the deletion in its mailbox) is stopped and marks nothing: its interface
// is the missing one, waiting for its link; it marked an interface with
// no name FAILED, shown by status of all.
func TestHandleFailure(t *testing.T) {
	old, cur := actor.NewPID("local", "ifaces/if-eth0-$1"), actor.NewPID("local", "ifaces/if-eth0-$2")
	gone := map[string]lease.Standing{"eth0": lease.LinkGone}
	for _, tc := range []struct {
		name      string
		failures  int // before this one
		children  map[string]*actor.PID
		before    map[string]lease.Standing
		restart   bool
		standings map[string]lease.Standing // after
		left      int                       // children left
	}{
		{"current, restarted", 0, map[string]*actor.PID{"eth0": cur}, nil, true, nil, 1},
		{"current, too often", maxRestarts, map[string]*actor.PID{"eth0": cur}, nil, false,
			map[string]lease.Standing{"eth0": lease.FailedActor}, 0},
		{"link deleted, restarted", 0, nil, gone, true, gone, 0},
		{"link deleted, too often", maxRestarts, nil, gone, false, gone, 0},
		{"a newer actor, too often", maxRestarts, map[string]*actor.PID{"eth0": old}, nil, false, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Both actors were spawned for eth0, the case's child last:
			// it is the one eth0's commands go to. before holds missing
			// interfaces only, whose actor is gone with their link.
			m := &manager{env: &Env{Log: zap.NewNop()}, roster: roster.New(pidID)}
			for _, p := range []*actor.PID{old, cur} {
				if p != tc.children["eth0"] {
					m.roster.Spawned("eth0", p)
				}
			}
			if p, ok := tc.children["eth0"]; ok {
				m.roster.Spawned("eth0", p)
			}
			for name := range tc.before {
				m.roster.LinkGone(name)
			}
			rs := actor.NewRestartStatistics()
			for range tc.failures {
				rs.Fail()
			}
			var sup supervisor
			m.HandleFailure(nil, &sup, cur, rs, "boom", nil)
			if got := len(sup.restarted) == 1 && len(sup.stopped) == 0; got != tc.restart {
				t.Errorf("restarted %v, stopped %v; want restarted %v", sup.restarted, sup.stopped, tc.restart)
			}
			if !tc.restart && (len(sup.stopped) != 1 || !sup.stopped[0].Equal(cur)) {
				t.Errorf("stopped %v, want the failing actor", sup.stopped)
			}
			if diff := cmp.Diff(tc.standings, m.roster.Standings(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("standings (-want +got):\n%s", diff)
			}
			if children := m.roster.Actors(); len(children) != tc.left {
				t.Errorf("children %v, want %d", children, tc.left)
			}
		})
	}
}

// The primary moves on the word of the actor its interface's commands go
// to (TookPrimary, at its machine's admission of start --primary), not on
// that of an actor whose link went meanwhile.
func TestTookPrimary(t *testing.T) {
	old, cur := actor.NewPID("local", "ifaces/if-eth1-$1"), actor.NewPID("local", "ifaces/if-eth1-$2")
	for _, tc := range []struct {
		name string
		from *actor.PID
		want string
	}{
		{"current", cur, "eth1"},
		{"stale", old, "eth0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// eth0, the primary, has no actor (its link is gone): nothing
			// to tell it.
			m := &manager{roster: roster.New(pidID)}
			m.roster.Spawned("eth1", cur)
			m.roster.SetPrimary("eth0")
			m.tookPrimary(nil, &messages.TookPrimary{Ifname: "eth1", PID: tc.from})
			if got := m.roster.Primary(); got != tc.want {
				t.Errorf("primary %q, want %q", got, tc.want)
			}
		})
	}
}

// The agent's stop is not held by an interface actor that stops with its
// Shutdown still in its mailbox, which goes with it: its stop counts as
// its answer. eth0's actor is held in its Receive (a status nobody takes
// yet) with its link's deletion queued behind, sent to it alone so that
// the manager still routes to it; the manager's Shutdown queues behind
// that. Once let go, eth0's actor stops on the deletion before it reads
// the Shutdown; the manager waited all of shutdownWait (60 s) for it.
func TestShutdownNotHeldByStoppedActor(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.bind("eth1", 120)
	pid := w.ifacePID("eth0")
	held := make(chan messages.IfStatus)
	w.system.Root.Send(pid, &messages.StatusQuery{Reply: held})
	w.system.Root.Send(pid, &messages.Link{Ifname: "eth0", Deleted: true})
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
	// The manager has handled the Shutdown (sent eth0's behind the
	// deletion) once it answers a command after it SHUTDOWN.
	ping := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Command{Ifname: "eth0", Req: messages.Ping{}, Reply: ping})
	select {
	case r := <-ping:
		if r.Code != ipc.ErrShutdown {
			t.Fatalf("ping after the Shutdown = %+v, want SHUTDOWN", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ping after the Shutdown not answered within 5 s")
	}
	<-held // eth0's actor goes on: it stops, its Shutdown unread
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown held by an actor that stopped before it read its Shutdown")
	}
	// eth1's drop was waited for: its address is gone.
	if _, removed := w.net.Snapshot(); !slices.ContainsFunc(removed, func(c kernel.AddrConfig) bool { return c.Ifindex == 3 }) {
		t.Fatalf("removed %v when the shutdown answered, want eth1's lease", removed)
	}
}

// An interface actor stops as the agent stops only once its answer to
// the Shutdown is out (after the records written before it): its stop
// counts as its answer, and would otherwise let the agent exit before
// them. eth0 is acquiring, its record write held; its drop needs no
// kernel work, so the actor settles the Shutdown as it handles it (the
// DROP event says when) and stopped right then, a status sent after it
// unanswered, the manager's shutdown answered with the write still held.
func TestShutdownActorStopsAfterItsAnswer(t *testing.T) {
	w := newWorld(t, fast)
	events, stop := w.events.Subscribe()
	defer stop()
	asked, release := w.disk.hold("eth0")
	defer release()
	start := w.ask(0, ipc.CmdStart, "eth0")
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	<-asked // the start's interface record is being written
	pid := w.ifacePID("eth0")
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
	deadline := time.After(5 * time.Second)
	for dropped := false; !dropped; {
		select {
		case ev := <-events:
			dropped = ev.Kind == "event" && ev.Event == "DROP"
		case <-deadline:
			t.Fatal("no DROP event within 5 s of the shutdown")
		}
	}
	alive := make(chan messages.IfStatus, 1)
	w.system.Root.Send(pid, &messages.StatusQuery{Reply: alive})
	select {
	case <-alive:
	case <-time.After(5 * time.Second):
		t.Fatal("eth0's actor stopped before its answer to the Shutdown was out")
	}
	stillWaiting(t, done)
	release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown not done within 5 s of the write's release")
	}
	if r := w.await(start); r.Error != ipc.ErrShutdown {
		t.Fatalf("start = %+v, want SHUTDOWN", r)
	}
}
