package run

import (
	"sync/atomic"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
)

// Committed is what every incarnation of the admin actor shares: one
// token held while a job's plans run, and the configurations the jobs
// committed. A restarted incarnation starts from them, once the job an
// earlier one was running (a restart does not stop it) is done: ipadm -t
// objects live nowhere else, and ipadm.json may have been damaged since.
type Committed struct {
	idle chan struct{}
	cfg  atomic.Pointer[ipadm.Configs]
}

// NewCommitted returns the shared state of a new admin actor: no job
// runs and nothing is committed.
func NewCommitted() *Committed { return &Committed{idle: make(chan struct{}, 1)} }

// Begin waits until no job runs (an earlier incarnation's is done) and
// takes the token; Store gives it back.
func (s *Committed) Begin() { s.idle <- struct{}{} }

// Store records what a job committed and ends it (gives Begin's token
// back).
func (s *Committed) Store(cfg ipadm.Configs) {
	s.cfg.Store(&cfg)
	<-s.idle
}

// Load waits until no job runs, or until timeout fires (ok false), and
// returns what the jobs committed so far (nil: nothing yet, a first
// start).
func (s *Committed) Load(timeout <-chan time.Time) (cfg *ipadm.Configs, ok bool) {
	select {
	case s.idle <- struct{}{}:
		<-s.idle
		ok = true
	case <-timeout:
	}
	return s.cfg.Load(), ok
}
