package run

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
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
