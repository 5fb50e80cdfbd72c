package actors

import (
	"sync"

	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// An interface's records (its lease, its interface record, its part of
// the host record) are written with fsync, which can take tens of
// milliseconds on a busy disk: never in an actor's Receive. Each interface
// name has one recorder, shared by every actor and incarnation of that
// name, that writes on a goroutine of its own, in the order the writes
// were asked for. The actor carries on meanwhile; what must not overtake
// a write waits behind it (after): the answer to a command is given once
// the records written before it are on disk, so that what an answer says
// is what the next agent finds after kill -9.

// byName keeps one T per interface name, made on first use: the
// per-interface workers (recorder, kernelWork) that every actor and
// incarnation of that name shares.
type byName[T any] struct {
	mu sync.Mutex
	m  map[string]*T
}

// get returns name's T, made by newT if there is none yet.
func (b *byName[T]) get(name string, newT func() *T) *T {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[string]*T)
	}
	v := b.m[name]
	if v == nil {
		v = newT()
		b.m[name] = v
	}
	return v
}

// recorders are the agent's recorders by interface name.
type recorders struct{ byName[recorder] }

// of returns the recorder of the interface called name, made on first use.
func (rs *recorders) of(st Store, name string, log *zap.Logger) *recorder {
	return rs.get(name, func() *recorder { return &recorder{st: st, name: name, log: log} })
}

// recorder writes one interface's records in order.
type recorder struct {
	serial
	st   Store // nil: nothing is written (tests without a store)
	name string
	log  *zap.Logger

	mu sync.Mutex
	// lease is the lease record as the writes asked for leave it (nil:
	// none) once one has been asked for or read (leaseKnown): a restore
	// reads it, not the disk. A write asked for while one
	// is queued (leaseQueued: not started) only replaces its value, so a
	// burst of events (a NAK storm) queues one write, not one per event.
	lease       *store.Lease
	leaseKnown  bool
	leaseQueued bool
}

// serial runs jobs one at a time, in the order they were queued, on a
// goroutine that exists while there are jobs: the recorder's writes and
// the kernel worker's calls (kernelwork.go). It waits on nothing but its
// jobs.
type serial struct {
	mu      sync.Mutex
	jobs    []func()
	running bool // a goroutine is running jobs
}

// do queues f to run after every job queued before it.
func (s *serial) do(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue(f)
}

// queue appends f and starts the goroutine if none runs; s.mu is held.
func (s *serial) queue(f func()) {
	s.jobs = append(s.jobs, f)
	if !s.running {
		s.running = true
		go s.run()
	}
}

// run does the jobs until none is left.
func (s *serial) run() {
	for {
		s.mu.Lock()
		if len(s.jobs) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		f := s.jobs[0]
		s.jobs[0] = nil
		s.jobs = s.jobs[1:]
		s.mu.Unlock()
		f()
	}
}

// after runs f once every job queued so far is done: at once, on the
// caller's goroutine, when none is queued or running.
func (s *serial) after(f func()) {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		f()
		return
	}
	s.queue(f)
	s.mu.Unlock()
}

// setLease queues the writing of the lease record l, or its deletion for
// nil.
func (r *recorder) setLease(l *store.Lease) {
	if r.st == nil {
		return
	}
	r.mu.Lock()
	r.lease, r.leaseKnown = l, true
	if r.leaseQueued {
		r.mu.Unlock()
		return // the queued write takes the latest value
	}
	r.leaseQueued = true
	r.mu.Unlock()
	r.do(r.writeLease)
}

// writeLease writes the latest lease record asked for.
func (r *recorder) writeLease() {
	r.mu.Lock()
	l := r.lease
	r.leaseQueued = false
	r.mu.Unlock()
	var err error
	if l == nil {
		err = r.st.DeleteLease(r.name)
	} else {
		err = r.st.SaveLease(l)
	}
	if err != nil {
		r.log.Error("writing the lease record failed", zap.Bool("delete", l == nil), zap.Error(err))
	}
	r.mu.Lock()
	if err != nil && !r.leaseQueued {
		r.lease, r.leaseKnown = nil, false // what the disk has is not known: read it
	}
	// Written, the record stays known: the disk holds the same, and no
	// one else writes it, so the next restore or renewal (persist keeps
	// the first ACK's time) reads memory, not the disk, in Receive.
	r.mu.Unlock()
}

// loadLease returns the lease record: the one last asked for (queued or
// written) if there is one, else what the store has.
func (r *recorder) loadLease() (*store.Lease, error) {
	if r.st == nil {
		return nil, nil
	}
	r.mu.Lock()
	if r.leaseKnown {
		l := r.lease
		r.mu.Unlock()
		return l, nil
	}
	r.mu.Unlock()
	// Nothing asked for yet: the disk is current. The interface's actor,
	// the only one that asks for writes, asks for none while it reads; what
	// it read is known from then on.
	l, err := r.st.LoadLease(r.name)
	if err == nil {
		r.mu.Lock()
		if !r.leaseKnown {
			r.lease, r.leaseKnown = l, true
		}
		r.mu.Unlock()
	}
	return l, err
}
