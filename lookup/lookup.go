// Package lookup keeps the lookups in flight by name and what waits for
// each: a name is looked up once however many commands come for it
// meanwhile, the commands wait behind the lookup in order, and an event
// for the name while its lookup is out marks the answer stale, to be
// asked again, MaxAgain times at most: a name whose events never stop
// (a flapping link) would otherwise hold what waits for it for ever.
// Past that the answer is used as it is, and the latest event, which it
// may predate, is handed back to the owner with it, to be handled after
// it. Looked is that handling of an answer, whole: asked again, or used,
// the waiting items and then the late events handed on in order. The
// manager uses it for its link lookups (one RTM_GETLINK each, made on a
// goroutine so that its mailbox never waits for the kernel); the lookups
// themselves, and where the waiting commands and the late events go, are
// the owner's (Owner).
package lookup

// MaxAgain bounds how often a name's lookup is asked again for events
// that made its answer stale: what waits for it waits for 1+MaxAgain
// answers at most (each bounded by its owner, the manager's by the
// netlink socket's timeout).
const MaxAgain = 3

// Queue is the lookups in flight by name, with the items (T) waiting for
// each and, while those are handed on, the answer (A) at hand, and the
// latest event (E) for each that came while it was out. It is its owner's
// alone (not safe for concurrent use); the zero Queue is ready.
type Queue[T, A, E any] struct {
	flight map[string]*entry[T, E]
	// fresh are the answers at hand while their waiting items are
	// handed on (Answer), so that those use them instead of asking
	// again.
	fresh map[string]A
}

// entry is one name's lookup in flight.
type entry[T, E any] struct {
	// queued are the items that came for the name meanwhile, in order.
	queued []T
	// stale is set when an event for the name arrived meanwhile: the
	// answer may predate it. event is the latest such event.
	stale bool
	event E
	// again counts the times the lookup was asked again (Stale).
	again int
}

// Begin marks each of names as being looked up, unless it is already.
func (q *Queue[T, A, E]) Begin(names ...string) {
	if q.flight == nil {
		q.flight = make(map[string]*entry[T, E])
	}
	for _, n := range names {
		if q.flight[n] == nil {
			q.flight[n] = &entry[T, E]{}
		}
	}
}

// Wait queues item behind the lookup of name, if one is in flight, and
// reports whether it did.
func (q *Queue[T, A, E]) Wait(name string, item T) bool {
	e := q.flight[name]
	if e == nil {
		return false
	}
	e.queued = append(e.queued, item)
	return true
}

// Event notes ev for name: if a lookup of it is in flight, its answer
// may predate ev and is marked stale, ev kept as the latest; it reports
// whether one was.
func (q *Queue[T, A, E]) Event(name string, ev E) bool {
	e := q.flight[name]
	if e == nil {
		return false
	}
	e.stale, e.event = true, ev
	return true
}

// Stale reports whether the answer of any of names is stale and may be
// asked again, and clears their marks: the owner asks again, and the
// lookups stay in flight. A name asked again MaxAgain times already
// keeps its mark, and makes nothing stale: its answer is used, and
// Answer hands its latest event back.
func (q *Queue[T, A, E]) Stale(names []string) bool {
	stale := false
	for _, n := range names {
		if e := q.flight[n]; e != nil && e.stale && e.again < MaxAgain {
			e.stale, stale = false, true
			e.again++
		}
	}
	return stale
}

// Answer ends the lookup of name with its answer a and hands the items
// that waited for it to f, in order; meanwhile Fresh(name) is a. A name
// with no lookup in flight hands nothing on. Items that come for name
// from f are not queued: the lookup is over. It returns the latest event
// that a may predate, which was not asked again for (Stale), and true;
// the owner handles it after a.
func (q *Queue[T, A, E]) Answer(name string, a A, f func(T)) (late E, ok bool) {
	e := q.flight[name]
	delete(q.flight, name)
	if e == nil {
		return late, false
	}
	if q.fresh == nil {
		q.fresh = make(map[string]A)
	}
	q.fresh[name] = a
	for _, item := range e.queued {
		f(item)
	}
	delete(q.fresh, name)
	return e.event, e.stale
}

// Owner is the owner's part of an answer (Looked): how it asks again,
// what it does with the answer, where the waiting items and the late
// events go.
type Owner[T, E any] struct {
	// Stopping is set once the owner stops: an answer is used as it
	// is, never asked again, and Then does not run (nothing it would
	// start is started); the waiting items and late events are still
	// handed on, for the owner to answer.
	Stopping bool
	// Again asks the lookup of the same names again; its answer comes
	// back to Looked in turn.
	Again func()
	// Then, if set, runs with the answer before any waiting item is
	// handed on.
	Then func()
	// Route takes each item that waited, Late each event the answer
	// may predate (Answer).
	Route func(T)
	Late  func(E)
}

// Looked carries out an answer to the lookup of names, answers[i] being
// names[i]'s: if an event made it stale (Stale), and the owner is not
// stopping, o.Again asks again and Looked reports false, the lookups
// still in flight. Otherwise it reports true: o.Then runs, then each
// name's waiting items go to o.Route in order, name after name, each
// with its answer at hand (Fresh), and last the late events go to o.Late
// in names' order, after every item: a late deletion reaches what the
// answer made. A name whose events never stop is thus asked 1+MaxAgain
// times at most.
func (q *Queue[T, A, E]) Looked(names []string, answers []A, o Owner[T, E]) bool {
	if q.Stale(names) && !o.Stopping {
		o.Again()
		return false
	}
	if o.Then != nil && !o.Stopping {
		o.Then()
	}
	var late []E
	for i, n := range names {
		if ev, ok := q.Answer(n, answers[i], o.Route); ok {
			late = append(late, ev)
		}
	}
	for _, ev := range late {
		o.Late(ev)
	}
	return true
}

// Fresh is the answer of name's lookup while Answer hands its waiting
// items on.
func (q *Queue[T, A, E]) Fresh(name string) (A, bool) {
	a, ok := q.fresh[name]
	return a, ok
}

// Drain removes and returns every item waiting, in each name's order; the
// lookups stay in flight. The owner answers them when it stops.
func (q *Queue[T, A, E]) Drain() []T {
	var out []T
	for _, e := range q.flight {
		out = append(out, e.queued...)
		e.queued = nil
	}
	return out
}
