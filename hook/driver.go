package hook

import (
	"errors"

	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// Starter starts the event hook for an interface's event with env; done
// is called when it exits. It returns ErrNoHook when there is nothing to
// run. *Runner is one.
type Starter interface {
	Start(ifname, event string, env []string, done func(error)) error
}

var _ Starter = (*Runner)(nil)

// Outcome is how one hook run ended: the error it exited with, or with
// NotRun that it could not start (Err says why: ErrNoHook when there is
// none). Seq is the number Queue.Start gave the run.
type Outcome struct {
	Event  string
	Seq    uint64
	Err    error
	NotRun bool
}

// Item is one of what an event leaves to do once its actions are carried
// out, in order: its hook (Event, with the lease it describes, nil when
// none) or an answer (Reply).
type Item struct {
	Event lease.EventName
	Lease *lease.Lease
	Reply *lease.Reply
}

// Driver runs one interface's hooks from its Queue, one at a time. The
// fork and exec happen on a goroutine (never in the owner's Receive),
// which posts the run's Outcome through Post; the owner, on its own
// goroutine, hands it to Done. The Driver logs what the queue folded and
// skipped and how each run ended, and sends the replies the queue lets go
// through Reply. It is its owner's alone (not safe for concurrent use);
// only Post and Log are used elsewhere. The zero Driver holds nothing.
type Driver struct {
	Hooks  Starter // nil: no hook; replies go at once
	Ifname string
	Log    *zap.Logger
	// Seq numbers runs, from a counter shared by the owner's
	// incarnations, so that an earlier one's Outcome never matches.
	Seq   func() uint64
	Post  func(*Outcome)
	Reply func(lease.Reply)

	q Queue
}

// Run queues the hooks among items, each holding the replies after it,
// sends the replies no hook holds as it meets them and starts the next
// hook. The replies thus describe the state the event left, once its
// hook has run, and go in the event's order: one before a hook goes
// before those the hook holds, even when there is no hook to wait for.
func (d *Driver) Run(items []Item) {
	place := -1 // the latest hook's, which holds the replies after it
	for _, it := range items {
		switch {
		case it.Reply == nil:
			place = d.add(it.Event, it.Lease)
		case place >= 0:
			d.q.Hold(place, *it.Reply)
		default:
			d.Reply(*it.Reply)
		}
	}
	d.next()
}

// add queues the hook of event e with the lease l and returns its place
// in the queue, logging what folded and sending the replies of what was
// skipped.
func (d *Driver) add(e lease.EventName, l *lease.Lease) int {
	added := d.q.Add(e, LeaseEnv(d.Ifname, e, l))
	if added.Folded {
		d.Log.Info("hook coalesced with the one waiting", zap.String("event", string(e)),
			zap.Int("events", added.Events))
	}
	for _, job := range added.Skipped {
		d.Log.Warn("hook skipped", zap.String("event", string(job.Event)), zap.Int("events", job.Folded+1),
			zap.String("reason", added.Why))
		d.replyAll(job)
	}
	return added.Place
}

// replyAll sends the replies job held: its event has happened.
func (d *Driver) replyAll(job Job) {
	for _, r := range job.Replies {
		d.Reply(r)
	}
}

// next starts the next hook unless one is running. Without a hook the
// replies go at once.
func (d *Driver) next() {
	if d.Hooks == nil {
		d.Flush()
		return
	}
	job, ok := d.q.Start(d.Seq)
	if !ok {
		return
	}
	hooks, post, log, ifname := d.Hooks, d.Post, d.Log, d.Ifname
	e, seq, env := string(job.Event), job.Seq, job.Env
	go func() {
		err := hooks.Start(ifname, e, env, func(err error) {
			post(&Outcome{Event: e, Seq: seq, Err: err})
		})
		if err != nil {
			post(&Outcome{Event: e, Seq: seq, Err: err, NotRun: true})
			return
		}
		log.Info("hook started", zap.String("event", e))
	}()
}

// Done logs the outcome of the running hook, sends the replies it held
// and starts the next one. The outcome of another run (an earlier
// incarnation's, one flushed at a stop) is ignored.
func (d *Driver) Done(o *Outcome) {
	job, ok := d.q.Done(o.Seq)
	if !ok {
		return
	}
	switch {
	case o.NotRun && errors.Is(o.Err, ErrNoHook):
	case o.NotRun && errors.Is(o.Err, ErrStopped):
		// The agent's own stop, not the hook's failure: no alert for it.
		d.Log.Info("hook not run: the agent is stopping", zap.String("event", o.Event))
	case o.NotRun:
		d.Log.Error("hook failed to start", zap.String("event", o.Event), zap.Error(o.Err))
	case o.Err != nil:
		d.Log.Error("hook failed", zap.String("event", o.Event), zap.Error(o.Err))
	default:
		d.Log.Info("hook done", zap.String("event", o.Event))
	}
	d.replyAll(job)
	d.next()
}

// Flush sends every reply the queue holds, the running hook's first: no
// outcome will be waited for any more.
func (d *Driver) Flush() {
	for _, job := range d.q.Flush() {
		d.replyAll(job)
	}
}

// Skip logs the hooks among items as skipped, for why, and returns the
// replies among them, in order, for the owner to send as it must: their
// events have happened, but their hooks will not run.
func (d *Driver) Skip(items []Item, why string) []lease.Reply {
	var replies []lease.Reply
	for _, it := range items {
		if it.Reply != nil {
			replies = append(replies, *it.Reply)
		} else {
			d.Log.Warn("hook skipped", zap.String("event", string(it.Event)), zap.String("reason", why))
		}
	}
	return replies
}
