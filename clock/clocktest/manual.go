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
	c       *Manual
	at      time.Time
	f       func()
	stopped bool
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

// Stop cancels the timer; it reports whether it was pending.
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock and fires, in order, the timers that come due.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*timer
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			due = append(due, t)
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}
