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
	s.run(nil, []ipadm.Plan{{Steps: []ipadm.Step{{Op: ipadm.Save, Config: ipadm.NewConfig()}}}}, running)
	select {
	case shared.idle <- struct{}{}:
		<-shared.idle
		t.Error("the token was free once the job was started")
	default:
	}
}
