package kernel

import (
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/clock"
	"go.uber.org/zap"
)

// What an interface's event decides waits for the kernel work it asked
// for: its hook runs, and its commands are answered, once the worker has
// done that work (SPEC §5: a hook and an answer describe the lease
// applied), and at most Wait after it was asked, so that a kernel that
// does not answer holds nothing for ever. Meanwhile the interface's
// actor goes on: status is answered at once, BUSY. The worker numbers
// its jobs (Job); Waiting holds an owner's items until the job they wait
// for is done.

// Wait bounds how long what waits for an interface's kernel work waits:
// Timeout is each netlink request's bound, and an application is a few
// of them.
const Wait = 3 * Timeout

// Job queues job after every job queued before it, and returns its
// number; done gets the number and what job returned, on the worker's
// goroutine. Numbers grow from 1 over the worker's life, which every
// actor and incarnation of its interface shares: an earlier job's report
// never passes for a later one's. (A name's worker is made anew only once
// no actor holds the old one and its queue is empty (serial.Named): no
// report of the old one is left, and none reaches a new actor.)
func (k *Worker) Job(job func(*Worker) []error, done func(seq uint64, refused []error)) uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seq++
	seq := k.seq
	k.Do(func() { done(seq, job(k)) })
	return seq
}

// AfterAtMost runs f once the jobs queued so far are done (at once when
// none is), or Wait after now on clk if they are not done by then,
// whichever comes first; f runs once. An answer thus waits for the kernel
// work its command caused, never for a kernel that does not answer.
func (k *Worker) AfterAtMost(clk clock.Clock, f func()) {
	once := sync.OnceFunc(f)
	bound := clk.AfterFunc(Wait, once)
	k.After(func() {
		bound.Stop() // done in time: the bound holds nothing for Wait
		once()
	})
}

// Waiting holds an owner's items (an event's hooks and answers) until
// the worker's jobs they wait for are done, and lets them go in order.
// The owner tells it of each job asked for (Asked) and each one done
// (Done); items wait for the jobs asked while their message was handled
// (since Begin). The wait is bounded: Wait after a job was asked for,
// Late is called with a number on the clock's goroutine; the owner posts
// it to itself and hands it to Expired, which lets what waits for the
// jobs whose Wait is up go, logged as late. One timer bounds the oldest
// job not done at a time, armed for what is left of that job's own Wait:
// nothing waits longer than Wait after its job was asked for. Waiting is
// its owner's alone (not safe for concurrent use); the zero Waiting holds
// nothing and can be stopped.
type Waiting[T any] struct {
	Clock clock.Clock
	Late  func(seq uint64)
	Run   func(T) // lets an item go
	Log   *zap.Logger

	asked uint64 // the latest job asked for
	done  uint64 // the latest one done, or given up on
	mark  uint64 // asked when the message being handled came
	held  []held[T]
	// due are the jobs asked for and not done, oldest first, with the
	// end of their Wait.
	due  []due
	late clock.Stopper // bounds the wait for the oldest job not done
	// lateSeq is the job late bounds: a Late of any other (a timer
	// stopped after it fired, or an earlier incarnation's, whose owner's
	// mailbox outlives it) is not the bound in force.
	lateSeq uint64
}

// held is an item and the job it waits for.
type held[T any] struct {
	item  T
	after uint64
}

// due is when the wait for the job numbered seq is up.
type due struct {
	seq uint64
	at  time.Time
}

// Begin marks the start of a message's handling: the jobs asked for from
// now on are the ones its items wait for.
func (w *Waiting[T]) Begin() { w.mark = w.asked }

// Asked records that the job numbered seq was asked for, and bounds the
// wait for it.
func (w *Waiting[T]) Asked(seq uint64) {
	w.asked = seq
	w.due = append(w.due, due{seq: seq, at: w.Clock.Now().Add(Wait)})
	if w.late == nil {
		w.arm(seq, Wait)
	}
}

// arm bounds the wait for job seq: Late comes after d.
func (w *Waiting[T]) arm(seq uint64, d time.Duration) {
	late := w.Late
	w.late, w.lateSeq = w.Clock.AfterFunc(d, func() { late(seq) }), seq
}

// Busy reports whether a job asked for is not done yet.
func (w *Waiting[T]) Busy() bool { return w.done < w.asked }

// Finish lets item go now, or holds it until the jobs asked for since
// Begin are done. An ordered item (one with a hook: hooks run in event
// order) also waits behind those held; another (only answers) never
// does: a status is answered while an earlier event's lease is being
// applied.
func (w *Waiting[T]) Finish(item T, ordered bool) {
	var after uint64
	if w.asked != w.mark {
		after = w.asked // kernel work asked for by this message
	}
	if n := len(w.held); after > w.done || (ordered && n > 0) {
		if n > 0 {
			after = max(after, w.held[n-1].after)
		}
		w.held = append(w.held, held[T]{item: item, after: after})
		return
	}
	w.Run(item)
}

// Done notes the job numbered seq done.
func (w *Waiting[T]) Done(seq uint64) { w.reached(seq) }

// Expired is the end of the bound for the job numbered seq (Late): what
// waits for it, and for every later job whose Wait is up too, goes if it
// is not done yet, and the wait for the next job still outstanding is
// bounded by what is left of its Wait. A Late that is not of the bound in
// force changes nothing, as clock.Timers.Fired: one of a bound stopped
// since (the job done, Stop) or of an earlier incarnation's Waiting (its
// jobs are not this one's, and forgetting the live bound would leave a
// timer that Stop no longer ends).
func (w *Waiting[T]) Expired(seq uint64) {
	if w.late == nil || seq != w.lateSeq {
		return
	}
	w.late = nil
	now := w.Clock.Now()
	for _, d := range w.due {
		if d.at.After(now) {
			break
		}
		seq = max(seq, d.seq)
	}
	if w.done < seq {
		w.Log.Error("the kernel has not applied the lease in time; answering anyway",
			zap.Duration("waited", Wait))
		w.reached(seq)
	}
	if w.Busy() && len(w.due) > 0 {
		next := w.due[0]
		w.arm(next.seq, max(next.at.Sub(now), 0))
	}
}

// reached notes the jobs up to seq done: the items that waited for them
// go, in order.
func (w *Waiting[T]) reached(seq uint64) {
	w.done = max(w.done, seq)
	for len(w.due) > 0 && w.due[0].seq <= w.done {
		w.due = w.due[1:]
	}
	if !w.Busy() && w.late != nil {
		w.late.Stop()
		w.late = nil
	}
	for len(w.held) > 0 && w.held[0].after <= w.done {
		h := w.held[0]
		w.held = w.held[1:]
		w.Run(h.item)
	}
}

// Stop ends the bound: no Late will come for the jobs asked so far.
func (w *Waiting[T]) Stop() {
	if w.late != nil {
		w.late.Stop()
		w.late = nil
	}
}

// Drop returns the items held, in order, and holds them no more: their
// owner will not wait for the kernel any longer (a restart, a stop).
func (w *Waiting[T]) Drop() []T {
	items := make([]T, len(w.held))
	for i, h := range w.held {
		items[i] = h.item
	}
	w.held = nil
	return items
}
