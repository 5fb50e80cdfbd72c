package run

import (
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/stash"
)

// MaxQueue bounds the commands waiting for the one running, and the
// listings held at start-up; one more is answered LIMIT.
const MaxQueue = 1024

// priorWait bounds a restarted incarnation's wait for the job an earlier
// one was running (at its load, and for each change that comes while that
// job still runs): its steps are netlink calls, each bounded by
// kernel.Timeout, and an fsync.
const priorWait = 60 * time.Second

// Scheduler orders the admin actor's work (SPEC §4): one job at a time,
// in the order the commands came, each job's plans carried out by the
// Runner on a goroutine, so that the actor's Receive never waits for
// netlink or an fsync. At start-up it loads the configuration (an earlier
// incarnation's, else the store's) and brings the persistent one up
// (replay) before anything else; listings are held until then, and
// answered at once afterwards from what is committed. Once the agent
// stops (Stop) the queued commands and later ones are answered SHUTDOWN
// and the temporary static addresses are removed, even across a restart.
//
// A job starts only with Shared's token, taken in Receive, and is decided
// from the latest commit. While an earlier incarnation's job still runs
// (it outlived the load's wait) the queue waits for it on a goroutine, at
// most priorWait; then the queued changes are answered PEND.
//
// A Scheduler is one incarnation's: its methods are called from that
// actor's Receive only, and never block. Its goroutines post an Event
// (post) that the actor hands back to Handle.
type Scheduler struct {
	x      *Runner
	shared *Shared
	store  Loader
	post   func(*Event)

	cfg     ipadm.Configs // committed: what the store and the kernel have
	commits uint64        // the Shared commits cfg includes
	phase   phase
	replay  bool // the persistent configuration is yet to be brought up
	queue   *stash.Stash[job]
	held    *stash.Stash[*messages.Command] // listings that came while booting
	// What a panic would lose with the incarnation, for Restarting: the
	// command taken up in this Receive (just come, or off the queue or
	// the held listings), neither answered nor handed to a goroutine yet,
	// and whether the token was taken for a job not yet handed to one.
	hand  *messages.Command
	token bool
}

// phase is what a Scheduler is doing.
type phase int

const (
	loading   phase = iota // the configuration is being read
	idle                   // nothing runs: the next job may start
	replaying              // the persistent configuration is brought up
	running                // a job's plans run
	waiting                // for an earlier incarnation's job (the token)
)

// job is a command and what it plans from the committed configuration.
type job struct {
	c      *messages.Command
	decide func(ipadm.Configs) ([]ipadm.Plan, error)
}

// Event is what a Scheduler's goroutine posts for Handle: the
// configuration loaded, what a job committed, or the end of a wait for
// an earlier incarnation's job.
type Event struct {
	by      *Scheduler // an earlier incarnation's event is ignored
	kind    eventKind
	cfg     ipadm.Configs // loaded, committed
	commits uint64        // the Shared commits cfg includes
	replay  bool          // loaded from the store at a first start: bring it up
}

type eventKind int

const (
	loaded    eventKind = iota
	committed           // a job's plans ran
	freed               // the earlier incarnation's job is done
	gaveUp              // it still runs after priorWait
)

// NewScheduler returns the scheduler of an admin actor's incarnation; st
// is the store the persistent configuration is read from (nil: none),
// post sends an Event to the actor.
func NewScheduler(x *Runner, shared *Shared, st Loader, post func(*Event)) *Scheduler {
	return &Scheduler{x: x, shared: shared, store: st, post: post, cfg: ipadm.NewConfigs(),
		queue: stash.New[job](MaxQueue), held: stash.New[*messages.Command](MaxQueue)}
}

// Start loads the configuration, off the caller's goroutine.
func (s *Scheduler) Start() { go s.load() }

// load takes what an earlier incarnation committed, once the job it was
// running is done (read before, that job's object would be lost from the
// listings; the next job reads the latest commit anyway), else the
// store's persistent configuration.
func (s *Scheduler) load() {
	expired, stop := s.x.deadline(priorWait)
	defer stop()
	prior, commits, ok := s.shared.load(expired)
	if !ok {
		s.x.Log.Error("an earlier job still runs; reading the interface configuration anyway")
	}
	if prior != nil {
		s.post(&Event{by: s, kind: loaded, cfg: *prior, commits: commits})
		return
	}
	s.post(&Event{by: s, kind: loaded, cfg: ipadm.Configs{Persist: Load(s.store, s.x.Log), Active: ipadm.NewConfig()},
		replay: true})
}

// Handle takes e, posted by the scheduler's goroutines, into account and
// starts what is next.
func (s *Scheduler) Handle(e *Event) {
	if e.by != s {
		return
	}
	switch e.kind {
	case loaded:
		// After a restart nothing is replayed (a disabled interface
		// stays down), and after SIGTERM nothing is brought up (next).
		s.cfg, s.commits, s.replay = e.cfg, e.commits, e.replay
	case committed:
		s.cfg, s.commits = e.cfg, e.commits
	case gaveUp:
		s.giveUp()
	}
	s.phase = idle
	s.next()
}

// giveUp answers what waited for an earlier incarnation's job that still
// runs after priorWait: the queued changes PEND (another transaction is
// outstanding, SPEC §3; a later one waits anew), the shutdown too (its
// removals would run beside that job). The replay is given up: the
// earlier incarnation was bringing things up already, and the listings
// held for it are answered.
func (s *Scheduler) giveUp() {
	s.x.Log.Error("an earlier job still runs; the administrative commands waiting for it are refused")
	r := messages.Fail(ipc.ErrPend, "an earlier administrative job still runs (the interface administration restarted)")
	for _, j := range s.queue.Drain() {
		j.c.Answer(r)
	}
	if c, ok := s.shared.takeStop(); ok {
		c.Answer(r)
	}
	s.replay = false
}

// Command answers a listing from the committed configuration (once
// booted; until then it is held, beyond MaxQueue answered LIMIT unless
// some held ones are abandoned, messages.Command.Abandoned), and
// queues a change (beyond MaxQueue LIMIT, after SIGTERM SHUTDOWN); a
// command that is neither is INVALID.
func (s *Scheduler) Command(c *messages.Command) {
	s.hand = c
	s.command(c)
	s.hand = nil
}

func (s *Scheduler) command(c *messages.Command) {
	switch c.Req.(type) {
	case messages.ShowIf, messages.ShowAddr:
		switch {
		case !s.booting():
			s.show(c)
		case !s.held.PushPruning(c, (*messages.Command).Abandoned):
			// Not from what is loaded so far: that would say the
			// objects are not there. The listings whose callers
			// stopped waiting were let go first: any user may
			// list, and one asking with --wait 0 holds no
			// connection for what it leaves held (ipc.Limits).
			c.Answer(messages.Fail(ipc.ErrLimit, "%d listings are waiting for the start-up already", s.held.Len()))
		}
		return
	}
	decide, ok := messages.PlanOf(c)
	switch {
	case !ok:
		c.Answer(messages.Fail(ipc.ErrInvalid, "%T is not an administrative command", c.Req))
	case s.shared.stopping():
		c.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping"))
	case !s.queue.Push(job{c: c, decide: func(cfg ipadm.Configs) ([]ipadm.Plan, error) {
		p, err := decide(cfg)
		return []ipadm.Plan{p}, err
	}}):
		c.Answer(messages.Fail(ipc.ErrLimit, "%d administrative commands are waiting already", s.queue.Len()))
	default:
		s.next()
	}
}

// show answers a listing from the latest commit: an earlier
// incarnation's job that outlived the load may have committed, and
// answered its command, since (the next job catches up in next).
func (s *Scheduler) show(c *messages.Command) {
	cfg := s.cfg
	if latest, _, ok := s.shared.since(s.commits); ok {
		cfg = latest
	}
	switch r := c.Req.(type) {
	case messages.ShowIf:
		s.x.ShowIf(cfg, c)
	case messages.ShowAddr:
		s.x.ShowAddr(cfg, c, r.Object)
	}
}

// Stop answers the queued commands SHUTDOWN (nothing they would configure
// is applied) and, once the running job is done, removes the temporary
// static addresses, then answers reply. A second stop is answered
// SHUTDOWN at once.
func (s *Scheduler) Stop(reply chan<- *messages.Result) {
	if c := (&messages.Command{Reply: reply}); !s.shared.setStop(c) {
		c.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping already"))
		return
	}
	for _, j := range s.queue.Drain() {
		j.c.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping"))
	}
	s.next()
}

// Restarting answers what the incarnation holds, as its actor restarts:
// its queue, held listings and the command in hand (the panic's) are lost
// with it, and gives back the token it took for a job that did not start.
// A stop is not lost: the next incarnation carries it out.
func (s *Scheduler) Restarting() {
	s.drop(messages.Fail(ipc.ErrInternal, "the interface administration restarted"))
}

// Stopping answers what the incarnation holds as its actor stops for good
// (its supervisor gave up on it, or it was stopped), as Restarting does,
// and a shutdown whose job is yet to start: no incarnation is left to
// carry it out, and the agent's stop would wait its whole bound. A job
// that runs finishes and answers its command.
func (s *Scheduler) Stopping() {
	r := messages.Fail(ipc.ErrInternal, "the interface administration stopped")
	s.drop(r)
	if c, ok := s.shared.takeStop(); ok {
		c.Answer(r)
	}
}

// drop answers r to every command the incarnation holds and gives back
// the token it took for a job that did not start.
func (s *Scheduler) drop(r *messages.Result) {
	s.hand.Answer(r)
	if s.token {
		s.token = false
		s.shared.release()
	}
	for _, j := range s.queue.Drain() {
		j.c.Answer(r)
	}
	for _, c := range s.held.Drain() {
		c.Answer(r)
	}
}

// booting reports whether listings are held: the configuration is being
// read or brought up.
func (s *Scheduler) booting() bool {
	return s.phase == loading || s.phase == replaying || s.replay
}

// next starts the replay, else the first queued job, else the removals at
// shutdown, unless a job runs; once booted it answers the listings held.
// A job needs the token (an earlier incarnation's job may still run: it
// is waited for, off Receive) and is decided from the latest commit. A
// refusal is answered at once.
func (s *Scheduler) next() {
	for s.phase == idle {
		if s.replay && s.shared.stopping() {
			s.replay = false // after SIGTERM nothing is brought up
		}
		if !s.booting() {
			// One at a time: a panic on one loses only that one.
			for c, ok := s.held.Pop(); ok; c, ok = s.held.Pop() {
				s.hand = c
				s.show(c)
			}
			s.hand = nil
		}
		if !s.replay && s.queue.Len() == 0 && !s.shared.stopPending() {
			return
		}
		if !s.shared.take() {
			s.await()
			return
		}
		s.token = true
		if cfg, commits, ok := s.shared.since(s.commits); ok {
			// An earlier incarnation's job committed after the load:
			// it was running, so this is a restart (nothing replayed).
			s.cfg, s.commits, s.replay = cfg, commits, false
		}
		if s.replay {
			s.replay = false
			s.run(nil, s.cfg.Replay(), replaying)
			return
		}
		j, ok := s.take()
		if !ok {
			// Only the replay was pending, and an earlier incarnation's
			// job committed since: nothing is replayed, and the listings
			// held for it are answered (the next round).
			s.token = false
			s.shared.release()
			continue
		}
		s.hand = j.c
		plans, err := j.decide(s.cfg)
		if err != nil {
			s.token = false
			s.shared.release()
			j.c.Answer(Failure(err))
			s.hand = nil
			continue
		}
		s.run(j.c, plans, running)
	}
}

// await waits, off Receive, until the earlier incarnation's job is done
// (freed) or for priorWait (gaveUp).
func (s *Scheduler) await() {
	s.phase = waiting
	go func() {
		expired, stop := s.x.deadline(priorWait)
		defer stop()
		if s.shared.free(expired) {
			s.post(&Event{by: s, kind: freed})
			return
		}
		s.post(&Event{by: s, kind: gaveUp})
	}()
}

// take is the next job: the first queued, else the shutdown's if it is
// yet to run.
func (s *Scheduler) take() (job, bool) {
	if j, ok := s.queue.Pop(); ok {
		return j, true
	}
	if c, ok := s.shared.takeStop(); ok {
		return job{c: c, decide: func(cfg ipadm.Configs) ([]ipadm.Plan, error) {
			return []ipadm.Plan{cfg.Shutdown()}, nil
		}}, true
	}
	return job{}, false
}

// run carries plans out for c (nil: nobody waits) on a goroutine, with the
// token next took: it posts what they committed before c is answered, so
// that whatever its caller does next sees it, and gives the token back.
func (s *Scheduler) run(c *messages.Command, plans []ipadm.Plan, p phase) {
	s.phase, s.hand, s.token = p, nil, false
	go s.x.Run(s.cfg, plans, c, func(cfg ipadm.Configs) {
		s.post(&Event{by: s, kind: committed, cfg: cfg, commits: s.shared.commit(cfg)})
	})
}
