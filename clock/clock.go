// Package clock is the agent's time source and the generation-stamped
// timers of its actors. The actors read time and arm timers through
// Clock, which the tests replace with a manual one (clocktest). A timer
// never calls into an actor: it posts a message stamped with the
// generation of its arming (Timers), and the actor takes the message only
// if that arming is still the one in force. protoactor's
// SetReceiveTimeout and SendRepeatedly race under -race; a time.AfterFunc
// posting a stamped message does not, and a timer stopped or re-armed
// meanwhile, or armed by an incarnation that has died since, never
// matches.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock is a time source with timers.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f on a goroutine of its own after d.
	AfterFunc(d time.Duration, f func()) Stopper
}

// Stopper cancels a pending timer; it reports whether the timer was
// still pending.
type Stopper interface{ Stop() bool }

// Real is the system clock.
type Real struct{}

var _ Clock = Real{}

// Now returns the current time, with its monotonic reading.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc calls f in its own goroutine after d.
func (Real) AfterFunc(d time.Duration, f func()) Stopper { return time.AfterFunc(d, f) }

// Gens numbers generations, from 1. Whatever can receive another's
// stamped messages (every actor and incarnation of the agent) shares one
// counter, so that no two armings ever carry the same generation. The
// zero value is ready; it is safe for concurrent use.
type Gens struct{ n atomic.Uint64 }

// Next returns a generation never returned before.
func (g *Gens) Next() uint64 { return g.n.Add(1) }
