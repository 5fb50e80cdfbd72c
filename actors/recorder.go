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

// recorders are the agent's recorders by interface name.
type recorders struct {
	mu sync.Mutex
	m  map[string]*recorder
}

// of returns the recorder of the interface called name, made on first use.
func (rs *recorders) of(st Store, name string, log *zap.Logger) *recorder {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.m == nil {
		rs.m = make(map[string]*recorder)
	}
	r := rs.m[name]
	if r == nil {
		r = &recorder{st: st, name: name, log: log}
		rs.m[name] = r
	}
	return r
}

// recorder writes one interface's records in order.
type recorder struct {
	st   Store // nil: nothing is written (tests without a store)
	name string
	log  *zap.Logger

	mu      sync.Mutex
	jobs    []func()
	running bool // a goroutine is running jobs
	// lease is the lease record as the writes asked for leave it (nil:
	// none) while one is queued or being written (leaseKnown): a restore
	// in the meantime reads it, not the disk. A write asked for while one
	// is queued (leaseQueued: not started) only replaces its value, so a
	// burst of events (a NAK storm) queues one write, not one per event.
	lease       *store.Lease
	leaseKnown  bool
	leaseQueued bool
}

// do queues f to run after every job queued before it.
func (r *recorder) do(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue(f)
}

// queue appends f and starts the goroutine if none runs; r.mu is held.
func (r *recorder) queue(f func()) {
	r.jobs = append(r.jobs, f)
	if !r.running {
		r.running = true
		go r.run()
	}
}

// run does the jobs until none is left. It waits on nothing but the
// store's own writes.
func (r *recorder) run() {
	for {
		r.mu.Lock()
		if len(r.jobs) == 0 {
			r.running = false
			r.mu.Unlock()
			return
		}
		f := r.jobs[0]
		r.jobs[0] = nil
		r.jobs = r.jobs[1:]
		r.mu.Unlock()
		f()
	}
}

// after runs f once every job queued so far is done: at once, on the
// caller's goroutine, when nothing is being written.
func (r *recorder) after(f func()) {
	r.mu.Lock()
	if !r.running {
		r.mu.Unlock()
		f()
		return
	}
	r.queue(f)
	r.mu.Unlock()
}

// setLease queues the writing of the lease record l, or its deletion for
// nil.
func (r *recorder) setLease(l *store.Lease) {
	if r.st == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lease, r.leaseKnown = l, true
	if r.leaseQueued {
		return // the queued write takes the latest value
	}
	r.leaseQueued = true
	r.queue(r.writeLease)
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
	if !r.leaseQueued {
		r.lease, r.leaseKnown = nil, false // the disk has it
	}
	r.mu.Unlock()
}

// loadLease returns the lease record: the one queued for writing if there
// is one, else what the store has.
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
	// Nothing being written: the disk is current. The interface's actor,
	// the only one that asks for writes, asks for none while it reads.
	return r.st.LoadLease(r.name)
}
