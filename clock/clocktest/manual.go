// Package clocktest is a manual clock for tests: time moves and timers
// fire only when the test advances it, so that no unit test sleeps.
package clocktest

import (
	"sort"
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/clock"
)

// Manual is a clock.Clock whose time the test moves (Advance). Its
// timers fire on the goroutine that advances it. It is safe for
// concurrent use.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

var _ clock.Clock = (*Manual)(nil)

// New returns a manual clock reading start.
func New(start time.Time) *Manual { return &Manual{now: start} }

type timer struct {
	c  *Manual
	at time.Time
	f  func()
	// done is set once the timer has fired or was stopped: as
	// time.Timer's, Stop reports false then.
	done bool
}

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms f to run once the clock has been advanced by d.
func (c *Manual) AfterFunc(d time.Duration, f func()) clock.Stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop cancels the timer; it reports whether it was pending (not fired
// or stopped yet).
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves the clock and fires, in order of their time (of their
// arming for the same time), the timers that come due. A due timer that
// an earlier one's f stops does not fire: what the test sees is one
// order of events, never a timer firing after its Stop returned true. A
// timer that an f arms fires at a later Advance, even one due already
// (d <= 0), so that an f that re-arms itself never loops.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*timer
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.done:
		case !t.at.After(c.now):
			due = append(due, t)
		default:
			kept = append(kept, t)
		}
	}
	clear(c.timers[len(kept):]) // the array holds no fired timer's f
	c.timers = kept
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		c.mu.Lock()
		stopped := t.done
		t.done = true
		c.mu.Unlock()
		if !stopped {
			t.f()
		}
	}
}
