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
// ipadm.json may have been damaged since. Whoever holds the token reads
// the latest commit before deciding (since), so a job that outlived the
// next incarnation's load is not written out by the one after it. A stop
// outlives a restart too: the temporary static addresses are still to be
// removed (SPEC §4), and nothing is configured after SIGTERM.
type Shared struct {
	mu        sync.Mutex
	busy      bool              // the token is taken: a job runs
	ended     chan struct{}     // closed when that job ends
	committed *ipadm.Configs    // nil: nothing yet, a first start
	commits   uint64            // how many jobs committed: which is newer
	stop      *messages.Command // the shutdown, once the agent stops
	stopTaken bool              // its job was started (by any incarnation)
}

// NewShared returns the shared state of a new admin actor: no job runs,
// nothing is committed, the agent runs.
func NewShared() *Shared { return &Shared{} }

// take takes the token for a job if no job runs, else reports false;
// commit, or release for a job that turned out to change nothing, gives
// it back. It never waits: it is called from Receive.
func (s *Shared) take() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy {
		return false
	}
	s.busy, s.ended = true, make(chan struct{})
	return true
}

// release gives take's token back without a commit (a refusal).
func (s *Shared) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.end()
}

// end gives the token back; s.mu is held.
func (s *Shared) end() {
	s.busy = false
	close(s.ended)
}

// commit records what a job committed and ends it (gives take's token
// back); it returns the count of commits so far, cfg's.
func (s *Shared) commit(cfg ipadm.Configs) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.committed = &cfg
	s.commits++
	s.end()
	return s.commits
}

// since returns what the jobs committed after the first n commits (ok
// false: nothing since). Called with the token, it is what the next job
// starts from: an earlier incarnation's job that outlived the load
// committed after what that load read.
func (s *Shared) since(n uint64) (cfg ipadm.Configs, commits uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.commits == n {
		return ipadm.Configs{}, n, false
	}
	return *s.committed, s.commits, true
}

// free waits until no job runs (true) or until expired fires (false). It
// takes nothing: the job that runs next is the live incarnation's to
// start.
func (s *Shared) free(expired <-chan time.Time) bool {
	s.mu.Lock()
	busy, ended := s.busy, s.ended
	s.mu.Unlock()
	if !busy {
		return true
	}
	select {
	case <-ended:
		return true
	case <-expired:
		return false
	}
}

// load waits until no job runs, or until expired fires (ok false), and
// returns what the jobs committed so far (nil: nothing yet, a first
// start) and the count of commits it includes.
func (s *Shared) load(expired <-chan time.Time) (cfg *ipadm.Configs, commits uint64, ok bool) {
	ok = s.free(expired)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed, s.commits, ok
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

// stopPending reports whether the shutdown's job is yet to start.
func (s *Shared) stopPending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop != nil && !s.stopTaken
}

// takeStop returns the shutdown whose job is yet to start, once: the
// incarnation that takes it runs the removals, or answers it when they
// cannot run (an earlier job hangs, or the admin actor stops for good). A
// job that started finishes across a restart.
func (s *Shared) takeStop() (*messages.Command, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop == nil || s.stopTaken {
		return nil, false
	}
	s.stopTaken = true
	return s.stop, true
}
