package actors

import (
	"maps"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
			m := &manager{env: &Env{Log: zap.NewNop()}, children: map[string]*actor.PID{}, standings: map[string]lease.Standing{},
				names: map[string]string{old.Id: "eth0", cur.Id: "eth0"}}
			maps.Copy(m.children, tc.children)
			maps.Copy(m.standings, tc.before)
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
			if diff := cmp.Diff(tc.standings, m.standings, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("standings (-want +got):\n%s", diff)
			}
			if len(m.children) != tc.left {
				t.Errorf("children %v, want %d", m.children, tc.left)
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
			m := &manager{children: map[string]*actor.PID{"eth1": cur}, primary: "eth0"}
			m.tookPrimary(nil, &messages.TookPrimary{Ifname: "eth1", PID: tc.from})
			if m.primary != tc.want {
				t.Errorf("primary %q, want %q", m.primary, tc.want)
			}
		})
	}
}
