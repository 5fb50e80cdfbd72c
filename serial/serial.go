// Package serial runs jobs one at a time, in the order they were queued,
// on a goroutine that exists only while there are jobs. It is the
// ordered executor of the per-interface workers that keep slow work out
// of an interface actor's Receive: the store's recorder (fsyncs) and the
// kernel's worker (netlink, the resolver, the host name). Each interface
// name has one of each (Named), shared by every actor and incarnation of
// that name, so the order of an interface's effects survives a restart.
package serial

import "sync"

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

// Named keeps one T per interface name, made on first use. The zero
// value is ready.
type Named[T any] struct {
	mu sync.Mutex
	m  map[string]*T
}

// Get returns name's T, made by newT if there is none yet.
func (n *Named[T]) Get(name string, newT func() *T) *T {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = make(map[string]*T)
	}
	v := n.m[name]
	if v == nil {
		v = newT()
		n.m[name] = v
	}
	return v
}

// All returns every T made so far.
func (n *Named[T]) All() []*T {
	n.mu.Lock()
	defer n.mu.Unlock()
	all := make([]*T, 0, len(n.m))
	for _, v := range n.m {
		all = append(all, v)
	}
	return all
}
