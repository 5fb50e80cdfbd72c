package clock

import "time"

// Timers are one owner's timers, by key: arming a key replaces its
// earlier arming. A timer that fires calls post, on the clock's
// goroutine, with its key and the generation of its arming; the owner
// sends that to itself as a message and, on receiving it, asks Fired
// whether it is still the arming in force. Timers is the owner's alone
// (not safe for concurrent use): only post runs elsewhere. The zero
// Timers has nothing armed and cannot arm (NewTimers makes ones that
// can).
type Timers[K comparable] struct {
	clock Clock
	gens  *Gens
	post  func(k K, gen uint64)
	armed map[K]armed
}

type armed struct {
	gen  uint64
	stop Stopper
}

// NewTimers returns timers on c, numbered by gens, that post through
// post.
func NewTimers[K comparable](c Clock, gens *Gens, post func(k K, gen uint64)) Timers[K] {
	return Timers[K]{clock: c, gens: gens, post: post, armed: make(map[K]armed)}
}

// Arm (re-)arms k to fire after d.
func (t *Timers[K]) Arm(k K, d time.Duration) {
	t.Stop(k)
	gen, post := t.gens.Next(), t.post
	t.armed[k] = armed{gen: gen, stop: t.clock.AfterFunc(d, func() { post(k, gen) })}
}

// Stop disarms k: a message it posted already no longer matches.
func (t *Timers[K]) Stop(k K) {
	if a, ok := t.armed[k]; ok {
		a.stop.Stop()
		delete(t.armed, k)
	}
}

// StopAll disarms every timer.
func (t *Timers[K]) StopAll() {
	for k := range t.armed {
		t.Stop(k)
	}
}

// Fired reports whether gen is the arming of k in force, which it then
// disarms: the owner acts on the message. False for a message of a timer
// stopped or re-armed since, or of other Timers sharing gens.
func (t *Timers[K]) Fired(k K, gen uint64) bool {
	if a, ok := t.armed[k]; ok && a.gen == gen {
		delete(t.armed, k)
		return true
	}
	return false
}
