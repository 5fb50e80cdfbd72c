package run

import (
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/messages"
)

// Shared is what every incarnation of the admin actor shares, kept by its
// Props: one token held while a job's plans run, the configurations the
// jobs committed, and the agent's stop. A restart does not stop the job
// that runs, and a restarted incarnation starts from what the earlier ones
// committed once that job is done: ipadm -t objects live nowhere else, and
// ipadm.json may have been damaged since. A stop outlives a restart too:
// the temporary static addresses are still to be removed (SPEC §4), and
// nothing is configured after SIGTERM.
type Shared struct {
	idle chan struct{}

	mu        sync.Mutex
	committed *ipadm.Configs    // nil: nothing yet, a first start
	stop      *messages.Command // the shutdown, once the agent stops
	stopTaken bool              // its job was started (by any incarnation)
}

// NewShared returns the shared state of a new admin actor: no job runs,
// nothing is committed, the agent runs.
func NewShared() *Shared { return &Shared{idle: make(chan struct{}, 1)} }

// begin takes the token for a job, at once if no job runs; else it
// returns wait, which waits until the earlier incarnation's job is done
// and takes it (off the caller's goroutine). commit gives it back.
func (s *Shared) begin() (wait func()) {
	select {
	case s.idle <- struct{}{}:
		return func() {}
	default:
		return func() { s.idle <- struct{}{} }
	}
}

// commit records what a job committed and ends it (gives begin's token
// back).
func (s *Shared) commit(cfg ipadm.Configs) {
	s.mu.Lock()
	s.committed = &cfg
	s.mu.Unlock()
	<-s.idle
}

// load waits until no job runs, or until expired fires (ok false), and
// returns what the jobs committed so far (nil: nothing yet, a first
// start).
func (s *Shared) load(expired <-chan time.Time) (cfg *ipadm.Configs, ok bool) {
	select {
	case s.idle <- struct{}{}:
		<-s.idle
		ok = true
	case <-expired:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed, ok
}

// setStop records c, the agent's shutdown, and reports false if the agent
// was stopping already.
func (s *Shared) setStop(c *messages.Command) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return false
	}
	s.stop = c
	return true
}

// stopping reports whether the agent stops.
func (s *Shared) stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop != nil
}

// takeStop returns the shutdown whose job is yet to start, once: the
// incarnation that takes it runs the removals. A job that started
// finishes across a restart.
func (s *Shared) takeStop() (*messages.Command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop == nil || s.stopTaken {
		return nil, false
	}
	s.stopTaken = true
	return s.stop, true
}
