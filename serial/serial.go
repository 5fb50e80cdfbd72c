// Package serial runs jobs one at a time, in the order they were queued,
// on a goroutine that exists only while there are jobs. It is the
// ordered executor of the per-interface workers that keep slow work out
// of an interface actor's Receive: the store's recorder (fsyncs) and the
// kernel's worker (netlink, the resolver, the host name). Each interface
// name has one of each (Named), shared by every actor and incarnation of
// that name while any holds it, so the order of an interface's effects
// survives a restart.
package serial

import (
	"runtime"
	"sync"
	"weak"
)

// Queue runs jobs in order. The zero value is ready; it waits on nothing
// but its jobs.
type Queue struct {
	mu      sync.Mutex
	jobs    []func()
	running bool // a goroutine is running jobs
}

// Do queues f to run after every job queued before it.
func (q *Queue) Do(f func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue(f)
}

// queue appends f and starts the goroutine if none runs; q.mu is held.
func (q *Queue) queue(f func()) {
	q.jobs = append(q.jobs, f)
	if !q.running {
		q.running = true
		go q.run()
	}
}

// run does the jobs until none is left.
func (q *Queue) run() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		f := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		f()
	}
}

// After runs f once every job queued so far is done: at once, on the
// caller's goroutine, when none is queued or running.
func (q *Queue) After(f func()) {
	q.mu.Lock()
	if !q.running {
		q.mu.Unlock()
		f()
		return
	}
	q.queue(f)
	q.mu.Unlock()
}

// Idle reports whether no job is queued or running.
func (q *Queue) Idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.running
}

// Named keeps one T per interface name, made on first use, for as long
// as anyone holds it or it is kept (Keep). Everyone who asks for a name
// while its T is held gets that T, so two Ts of one name never queue
// side by side: the order of an interface's effects survives a restart
// and a drop followed by a start. A T no one holds (its interface's actor
// gone, its queue empty: a running queue's goroutine holds it) is
// forgotten by the garbage collector, and the next Get makes a new one,
// which is the same as the old: with interface churn over months
// (containers, hot-plugged NICs under new names) the registry holds the
// interfaces that have an actor or something to take back, not every
// name ever seen. The zero value is ready. T must not be a tiny object
// (16 bytes or less, no pointers): the runtime may never collect one that
// shares its allocation slot with a live neighbour (runtime.AddCleanup).
type Named[T any] struct {
	mu   sync.Mutex
	m    map[string]weak.Pointer[T]
	kept map[string]*T // held while they hold something no one else knows
}

// Get returns name's T, made by newT if there is none yet.
func (n *Named[T]) Get(name string, newT func() *T) *T {
	n.mu.Lock()
	defer n.mu.Unlock()
	if v := n.m[name].Value(); v != nil {
		return v
	}
	if n.m == nil {
		n.m = make(map[string]weak.Pointer[T])
	}
	v := newT()
	w := weak.Make(v)
	n.m[name] = w
	// The cleanup holds n only weakly: the runtime keeps a cleanup and its
	// argument alive until v is collected, and a v that n keeps (Keep)
	// would otherwise keep n, and all that n's owner holds, for ever.
	runtime.AddCleanup(v, forget[T], entry[T]{name, w, weak.Make(n)})
	return v
}

// entry is a name's T as Get made it, for forget.
type entry[T any] struct {
	name string
	w    weak.Pointer[T]
	n    weak.Pointer[Named[T]]
}

// forget drops the name of a collected T from its registry, unless a
// newer one has it or the registry is gone too.
func forget[T any](e entry[T]) {
	n := e.n.Value()
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m[e.name] == e.w {
		delete(n.m, e.name)
	}
}

// Keep holds name's T v (keep) even when no one else does, or lets it go
// (!keep): a T keeps itself while it holds what must outlive its users
// (the kernel worker, what it put on the kernel).
func (n *Named[T]) Keep(name string, v *T, keep bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case keep:
		if n.kept == nil {
			n.kept = make(map[string]*T)
		}
		n.kept[name] = v
	case n.kept[name] == v:
		delete(n.kept, name)
	}
}

// All returns every T held now.
func (n *Named[T]) All() []*T {
	n.mu.Lock()
	defer n.mu.Unlock()
	all := make([]*T, 0, len(n.m))
	for _, w := range n.m {
		if v := w.Value(); v != nil {
			all = append(all, v)
		}
	}
	return all
}
