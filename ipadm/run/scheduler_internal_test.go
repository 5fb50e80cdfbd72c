package run

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// gatedStore's writes wait until gate is closed.
type gatedStore chan struct{}

func (g gatedStore) SaveIPAdm(*ipadm.Config) error { <-g; return nil }

// A job holds the token from the moment it is started, not from when its
// goroutine gets to run: a restart right after (the next message panics)
// must not let the next incarnation read the committed configuration
// before the job's, and write the job's object out of ipadm.json.
func TestRunTakesTheTokenAtOnce(t *testing.T) {
	shared := NewShared()
	gate := make(gatedStore)
	defer close(gate)
	never := func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	s := NewScheduler(&Runner{Store: gate, Deadline: never, Log: zap.NewNop()}, shared, nil, func(*Event) {})
	s.phase = idle // booted
	s.queue.Push(job{decide: func(ipadm.Configs) ([]ipadm.Plan, error) {
		return []ipadm.Plan{{Steps: []ipadm.Step{{Op: ipadm.Save, Config: ipadm.NewConfig()}}}}, nil
	}})
	s.next()
	if s.phase != running {
		t.Fatalf("phase %v once a job was queued, want running", s.phase)
	}
	if shared.take() {
		shared.release()
		t.Error("the token was free once the job was started")
	}
}

// A panic while a command is in hand (taken off the queue or the held
// listings, or just come, and neither answered nor handed to a goroutine
// yet) restarts the actor: Restarting answers it INTERNAL, as it answers
// the queued ones, and the held listings behind it stay held until then.
// The token taken for the job is given back: the next incarnation would
// wait for it in vain. Before, the command taken up was answered by
// nobody, and a panic on one held listing lost every other one drained
// with it.
func TestRestartingAnswersTheCommandInHand(t *testing.T) {
	never := func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	boom := func(ipadm.Configs) ([]ipadm.Plan, error) { panic("a decision fails") }
	for _, tc := range []struct {
		name  string
		phase phase
		do    func(s *Scheduler, reply chan *messages.Result)
		want  int // answers at the restart
	}{
		{"queued", idle, func(s *Scheduler, reply chan *messages.Result) {
			s.queue.Push(job{c: &messages.Command{Req: messages.CreateIf{}, Reply: reply}, decide: boom})
			s.next()
		}, 1},
		{"held listings", replaying, func(s *Scheduler, reply chan *messages.Result) {
			s.Command(&messages.Command{Req: messages.ShowIf{}, Reply: reply})
			s.Command(&messages.Command{Req: messages.ShowIf{}, Reply: reply})
			s.Handle(&Event{by: s, kind: committed}) // a zero configuration: listing it panics
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared := NewShared()
			s := NewScheduler(&Runner{Deadline: never, Log: zap.NewNop()}, shared, nil, func(*Event) {})
			s.phase = tc.phase
			reply := make(chan *messages.Result, tc.want+1)
			func() {
				defer func() { _ = recover() }()
				tc.do(s, reply)
				t.Fatal("no panic")
			}()
			s.Restarting()
			if len(reply) != tc.want {
				t.Errorf("%d answers at the restart, want %d", len(reply), tc.want)
			}
			if !shared.take() {
				t.Error("the token is taken after the restart")
			}
			for len(reply) > 0 {
				if r := <-reply; r.Code != ipc.ErrInternal {
					t.Errorf("answer at the restart = %+v, want INTERNAL", r)
				}
			}
		})
	}
}
