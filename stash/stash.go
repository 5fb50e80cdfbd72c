package stash

// Stash holds messages set aside, oldest first, at most its bound. The
// zero Stash has bound 0: it refuses every message; use New.
type Stash[T any] struct {
	held []T
	max  int
}

// New returns an empty stash that holds at most max messages; max must be
// positive.
func New[T any](max int) *Stash[T] {
	if max <= 0 {
		panic("stash: the bound must be positive")
	}
	return &Stash[T]{max: max}
}

// Push sets m aside after those held and reports true, or, when the
// stash holds its bound already, keeps nothing and reports false: m is
// the caller's to answer or drop.
func (s *Stash[T]) Push(m T) bool {
	if len(s.held) >= s.max {
		return false
	}
	s.held = append(s.held, m)
	return true
}

// Pop takes the oldest message off the stash, reporting false when it is
// empty. An actor that replays one message at a time takes each off
// before handling it, so that a failure while handling one loses only
// that one: the rest stay for whoever holds the stash next (a restarted
// incarnation).
func (s *Stash[T]) Pop() (T, bool) {
	var zero T
	if len(s.held) == 0 {
		return zero, false
	}
	m := s.held[0]
	s.held[0] = zero // let it go
	s.held = s.held[1:]
	if len(s.held) == 0 {
		s.held = nil // start over rather than creep along the array
	}
	return m, true
}

// Drain takes every held message, oldest first, leaving the stash empty
// (nil when it was empty).
func (s *Stash[T]) Drain() []T {
	held := s.held
	s.held = nil
	return held
}

// Len is the number of messages held.
func (s *Stash[T]) Len() int { return len(s.held) }

// Cap is the stash's bound.
func (s *Stash[T]) Cap() int { return s.max }

// Prune lets go every held message gone reports true of, keeping the rest
// in order, and reports how many it let go. An owner whose stash is full
// prunes what nobody waits for any more before it refuses a message.
func (s *Stash[T]) Prune(gone func(T) bool) int {
	kept := s.held[:0]
	for _, m := range s.held {
		if !gone(m) {
			kept = append(kept, m)
		}
	}
	n := len(s.held) - len(kept)
	clear(s.held[len(kept):]) // let them go
	s.held = kept
	if len(s.held) == 0 {
		s.held = nil
	}
	return n
}

// PushPruning is Push, but a full stash first lets go what gone reports
// true of (Prune).
func (s *Stash[T]) PushPruning(m T, gone func(T) bool) bool {
	if len(s.held) >= s.max {
		s.Prune(gone)
	}
	return s.Push(m)
}
