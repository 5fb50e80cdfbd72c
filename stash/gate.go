package stash

import "iter"

// Gate holds an actor's messages until what they need is in: while it is
// closed its owner sets them aside (Hold) in the order they came, bounded;
// once it is open they come back (Replay) in that order, one at a time.
// The manager holds the commands that must not overtake the resume of the
// stored interfaces (SPEC §2: no start is needed again) until those are
// read; an interface actor the messages that need its lease record until
// the record is read, so that no disk is read in Receive. Which messages
// need not wait, what one refused is answered and what a stop answers of
// those held stay the owner's decisions.
//
// A full gate first lets go what its owner says nobody waits for any more
// (gone, as Stash.PushPruning: a command that only asks, whose caller
// stopped waiting, messages.Command.Abandoned), so that what callers
// holding no connection leave behind cannot fill it for everybody; beyond
// that Hold refuses, as a bounded Stash does, and the owner answers the
// message at once (LIMIT for a command).
//
// Replay takes each message off before handing it over, so that a failure
// while handling one loses only that one: the rest stay for whoever holds
// the gate next (a restarted incarnation, which may close it again). And
// handling one may close the gate again: the replay stops there, and the
// rest wait, ahead of what comes next, until it opens again.
type Gate[T any] struct {
	held   *Stash[T]
	gone   func(T) bool
	closed bool
}

// NewGate returns an open gate that holds at most max messages (max must
// be positive), letting go first, when full, those gone reports true of.
func NewGate[T any](max int, gone func(T) bool) *Gate[T] {
	return &Gate[T]{held: New[T](max), gone: gone}
}

// Close has the gate hold what comes until Open.
func (g *Gate[T]) Close() { g.closed = true }

// Open ends the wait: Replay hands back what the gate holds.
func (g *Gate[T]) Open() { g.closed = false }

// Closed reports whether messages wait. A nil gate is open: an owner that
// has nothing to wait for need not make one.
func (g *Gate[T]) Closed() bool { return g != nil && g.closed }

// Hold sets m aside after those held and reports true, or, when the gate
// holds its bound even of what is not gone, keeps nothing and reports
// false: m is the caller's to answer or drop.
func (g *Gate[T]) Hold(m T) bool { return g.held.PushPruning(m, g.gone) }

// Len is the number of messages held.
func (g *Gate[T]) Len() int { return g.held.Len() }

// Replay yields the held messages, oldest first, while the gate is open,
// each taken off before it is yielded. It ends when none is left, when
// handling one closed the gate again, or when the loop breaks: what it
// did not yield stays held.
func (g *Gate[T]) Replay() iter.Seq[T] {
	return func(yield func(T) bool) {
		for !g.closed {
			m, ok := g.held.Pop()
			if !ok || !yield(m) {
				return
			}
		}
	}
}

// Drain takes every held message, oldest first, open or closed, leaving
// the gate empty: what its owner answers as it stops.
func (g *Gate[T]) Drain() []T { return g.held.Drain() }
