// Package lookup keeps the lookups in flight by name and what waits for
// each: a name is looked up once however many commands come for it
// meanwhile, the commands wait behind the lookup in order, and an event
// for the name while its lookup is out marks the answer stale, to be
// asked again. The manager uses it for its link lookups (one RTM_GETLINK
// each, made on a goroutine so that its mailbox never waits for the
// kernel); the lookups themselves, and where the waiting commands go
// once the answer is in, are the owner's.
package lookup

// Queue is the lookups in flight by name, with the items (T) waiting for
// each and, while those are handed on, the answer (A) at hand. It is its
// owner's alone (not safe for concurrent use); the zero Queue is ready.
type Queue[T, A any] struct {
	flight map[string]*entry[T]
	// fresh are the answers at hand while their waiting items are
	// handed on (Answer), so that those use them instead of asking
	// again.
	fresh map[string]A
}

// entry is one name's lookup in flight.
type entry[T any] struct {
	// queued are the items that came for the name meanwhile, in order.
	queued []T
	// stale is set when an event for the name arrived meanwhile: the
	// answer may predate it.
	stale bool
}

// Begin marks each of names as being looked up, unless it is already.
func (q *Queue[T, A]) Begin(names ...string) {
	if q.flight == nil {
		q.flight = make(map[string]*entry[T])
	}
	for _, n := range names {
		if q.flight[n] == nil {
			q.flight[n] = &entry[T]{}
		}
	}
}

// Wait queues item behind the lookup of name, if one is in flight, and
// reports whether it did.
func (q *Queue[T, A]) Wait(name string, item T) bool {
	e := q.flight[name]
	if e == nil {
		return false
	}
	e.queued = append(e.queued, item)
	return true
}

// Event notes an event for name: if a lookup of it is in flight, its
// answer may predate the event and is marked stale; it reports whether
// one was.
func (q *Queue[T, A]) Event(name string) bool {
	e := q.flight[name]
	if e == nil {
		return false
	}
	e.stale = true
	return true
}

// Stale reports whether the answer of any of names is stale, and clears
// their marks: the owner asks again, and the lookups stay in flight.
func (q *Queue[T, A]) Stale(names []string) bool {
	stale := false
	for _, n := range names {
		if e := q.flight[n]; e != nil && e.stale {
			e.stale, stale = false, true
		}
	}
	return stale
}

// Answer ends the lookup of name with its answer a and hands the items
// that waited for it to f, in order; meanwhile Fresh(name) is a. A name
// with no lookup in flight hands nothing on. Items that come for name
// from f are not queued: the lookup is over.
func (q *Queue[T, A]) Answer(name string, a A, f func(T)) {
	e := q.flight[name]
	delete(q.flight, name)
	if e == nil {
		return
	}
	if q.fresh == nil {
		q.fresh = make(map[string]A)
	}
	q.fresh[name] = a
	for _, item := range e.queued {
		f(item)
	}
	delete(q.fresh, name)
}

// Fresh is the answer of name's lookup while Answer hands its waiting
// items on.
func (q *Queue[T, A]) Fresh(name string) (A, bool) {
	a, ok := q.fresh[name]
	return a, ok
}

// Drain removes and returns every item waiting, in each name's order; the
// lookups stay in flight. The owner answers them when it stops.
func (q *Queue[T, A]) Drain() []T {
	var out []T
	for _, e := range q.flight {
		out = append(out, e.queued...)
		e.queued = nil
	}
	return out
}
