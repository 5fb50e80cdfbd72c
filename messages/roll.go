package messages

import (
	"sync/atomic"
	"time"
)

// Roll is the roll call of an actor that asks several others at once and
// collects their answers off its Receive: the manager's status of every
// interface (StatusQuery) and its shutdown (Shutdown). Each asked actor
// answers on a channel of its own (Ask), so that an answer is known to be
// its actor's: an actor reported stopped (Stopped) counts as answered,
// with the answer it left, if any, and only it, once, however often it is
// reported; an id not asked counts for nothing. That matters for an actor
// that stops with the question still in its mailbox, which goes with it:
// it answers nothing, and waiting for it would hold the asker for all of
// its bound. An actor whose stop the asker knows the answer to (the
// status of one the manager stopped as FAILED) is stood in for (StandIn).
//
// Ask, Stopped, StandIn and Done are the asker's, from its Receive; Wait
// runs once, after the last Ask, on a goroutine of its own, while Stopped
// and StandIn may still come.
// Each Roll is one question: several asked at once are independent. The
// zero Roll has asked no one.
type Roll[T any] struct {
	asked map[string]asked[T] // by actor id; fixed once Wait runs
	done  atomic.Bool         // Wait has returned
}

// asked is one asked actor's answer and its stop.
type asked[T any] struct {
	reply chan T        // room for its one answer: it never blocks
	gone  chan struct{} // closed when it is reported stopped
}

// Ask returns the channel on which the actor id is to answer, with room
// for its one answer. Each actor is asked once.
func (r *Roll[T]) Ask(id string) chan<- T {
	if r.asked == nil {
		r.asked = make(map[string]asked[T])
	}
	a := asked[T]{reply: make(chan T, 1), gone: make(chan struct{})}
	r.asked[id] = a
	return a.reply
}

// Stopped reports that the actor id stopped: what it had not answered,
// it never will.
func (r *Roll[T]) Stopped(id string) {
	a, ok := r.asked[id]
	if !ok {
		return
	}
	select {
	case <-a.gone: // reported before
	default:
		close(a.gone)
	}
}

// StandIn reports that the actor id stopped, as Stopped does, and answers
// v for it unless it answered itself: its own answer stands. Only for an
// actor that will never run again (its stop is known), for v takes the
// room of its answer.
func (r *Roll[T]) StandIn(id string, v T) {
	a, ok := r.asked[id]
	if !ok {
		return
	}
	select {
	case a.reply <- v:
	default: // it answered, or was stood in for, before
	}
	r.Stopped(id)
}

// Done reports whether Wait has returned: the asker may forget the roll.
func (r *Roll[T]) Done() bool { return r.done.Load() }

// Wait receives one answer, or a stop, from each asked actor within d. It
// returns the answers, and true; or nothing, and false, when d ran out
// first: who of those asked answered is then of no use to the asker.
func (r *Roll[T]) Wait(d time.Duration) ([]T, bool) {
	defer r.done.Store(true)
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	out := make([]T, 0, len(r.asked))
	// One actor at a time: the others' answers, and stops, keep until
	// their turn, for only all of them or the deadline end the wait.
	for _, a := range r.asked {
		select {
		case v := <-a.reply:
			out = append(out, v)
		case <-a.gone:
			select {
			case v := <-a.reply: // it answered before it stopped
				out = append(out, v)
			default:
			}
		case <-deadline.C:
			return nil, false
		}
	}
	return out, true
}
