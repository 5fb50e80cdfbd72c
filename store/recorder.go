package store

import (
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/serial"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// An interface's records (its lease, its interface record, its part of
// the host record) are written with fsync, which can take tens of
// milliseconds on a busy disk: never in an actor's Receive. Each interface
// name has one Recorder, shared by every actor and incarnation of that
// name while any holds it (serial.Named), that writes on a goroutine of its own, in the order the writes
// were asked for. The actor carries on meanwhile; what must not overtake
// a write waits behind it (After): the answer to a command is given once
// the records written before it are on disk, so that what an answer says
// is what the next agent finds after kill -9.

// LeaseRecords is what a Recorder reads and writes of the lease records.
type LeaseRecords interface {
	LoadLease(ifname string) (*Lease, error)
	SaveLease(*Lease) error
	DeleteLease(ifname string) error
}

// Recorders are the agent's recorders by interface name. The zero value
// is ready.
type Recorders struct{ serial.Named[Recorder] }

// Of returns the recorder of the interface called name, made on first
// use.
func (rs *Recorders) Of(st LeaseRecords, name string, log *zap.Logger) *Recorder {
	return rs.Get(name, func() *Recorder { return NewRecorder(st, name, log) })
}

// Recorder writes one interface's records in order: the lease record by
// SetLease, any other by Do.
type Recorder struct {
	serial.Queue
	st   LeaseRecords // nil: nothing is written (tests without a store)
	name string
	log  *zap.Logger

	mu sync.Mutex
	// lease is the lease record as the writes asked for leave it (nil:
	// none) once one has been asked for or read (leaseKnown): a restore
	// reads it, not the disk. A write asked for while one
	// is queued (leaseQueued: not started) only replaces its value, so a
	// burst of events (a NAK storm) queues one write, not one per event.
	lease       *Lease
	leaseKnown  bool
	leaseQueued bool
	// firstOnDisk: lease's first ACK time is not settled (SetLeaseOf
	// asked for it while the record was not known): the queued write
	// takes it from the disk's record, off the caller's goroutine.
	firstOnDisk bool
}

// NewRecorder returns the recorder of the interface called name, writing
// to st (nil: nothing is written) and logging to log (nil: nowhere).
func NewRecorder(st LeaseRecords, name string, log *zap.Logger) *Recorder {
	if log == nil {
		log = zap.NewNop()
	}
	return &Recorder{st: st, name: name, log: log}
}

// Name is the interface's name.
func (r *Recorder) Name() string { return r.name }

// SetLease queues the writing of the lease record l, or its deletion for
// nil.
func (r *Recorder) SetLease(l *Lease) { r.setLease(l, false) }

// setLease is SetLease; firstOnDisk asks the write to take l's first ACK
// time from the disk's record (SetLeaseOf).
func (r *Recorder) setLease(l *Lease, firstOnDisk bool) {
	if r.st == nil {
		return
	}
	r.mu.Lock()
	r.lease, r.leaseKnown = l, true
	r.firstOnDisk = firstOnDisk && l != nil
	if r.leaseQueued {
		r.mu.Unlock()
		return // the queued write takes the latest value
	}
	r.leaseQueued = true
	r.mu.Unlock()
	r.Do(r.writeLease)
}

// writeLease writes the latest lease record asked for.
func (r *Recorder) writeLease() {
	r.mu.Lock()
	l, firstOnDisk := r.lease, r.firstOnDisk
	r.leaseQueued = false
	r.mu.Unlock()
	if firstOnDisk {
		l = r.keepFirst(l)
	}
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
		r.firstOnDisk = false
	}
	// Written, the record stays known: the disk holds the same, and no
	// one else writes it, so the next restore or renewal (persist keeps
	// the first ACK's time) reads memory, not the disk, in Receive.
	r.mu.Unlock()
}

// keepFirst is l with the first ACK time of the disk's record when its
// first ACK is l's (a renewal of the lease it records), on the recorder's
// queue; memory holds it from then on, unless a later record was asked
// for meanwhile (its queued write reads the disk, which then has it).
func (r *Recorder) keepFirst(l *Lease) *Lease {
	old, err := r.st.LoadLease(r.name)
	kept := l
	if err == nil && old != nil && old.FirstACK == l.FirstACK {
		c := *l
		c.FirstACKTime = old.FirstACKTime
		kept = &c
	}
	r.mu.Lock()
	if r.lease == l {
		r.lease, r.firstOnDisk = kept, false
	}
	r.mu.Unlock()
	return kept
}

// LoadLease returns the lease record: the one last asked for (queued or
// written) if there is one, else what the store has.
func (r *Recorder) LoadLease() (*Lease, error) {
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

// SetLeaseOf queues the writing of the lease record of the lease on
// address (ADDR/PLEN) granted by the ACK first and last extended by ack,
// counting from began, as received at now. A renewal keeps the first
// ACK's receive time of the record it replaces when its first ACK is the
// same: the record says when the lease was first granted. It reads no
// disk: when the recorder does not hold the record (a write of it failed,
// a recorder that has not read it), the queued write takes that time from
// the disk's record; until then LoadLease has now for it.
func (r *Recorder) SetLeaseOf(address string, first, ack *dhcpv4.DHCPv4, began, now time.Time) {
	if r.st == nil {
		return
	}
	rec := &Lease{Ifname: r.name, Address: address,
		FirstACK: Encode(first), FirstACKTime: wall(now),
		ACK: Encode(ack), ACKTime: wall(now), Began: wall(began)}
	r.mu.Lock()
	old, known, unsettled := r.lease, r.leaseKnown, r.firstOnDisk
	r.mu.Unlock()
	switch {
	case !known:
		r.setLease(rec, true)
	case old != nil && old.FirstACK == rec.FirstACK:
		// The record it replaces says when; if that one waits for the
		// disk's, so does this.
		rec.FirstACKTime = old.FirstACKTime
		r.setLease(rec, unsettled)
	default: // a new lease counts from its own first ACK
		r.SetLease(rec)
	}
}

// wall strips the monotonic reading: records hold wall-clock times.
func wall(t time.Time) time.Time { return t.Round(0).UTC() }

// ManagedRecords is what Manage writes: a *Store.
type ManagedRecords interface {
	UpdateInterface(ifname string, f func(*Interface)) error
	UpdateHost(func(*Host)) error
}

// Manage queues the recording of whether the interface is under
// management, so that the next agent resumes it (SPEC §2), and whether it
// is the primary one, in st: on and primary, the host record names it;
// primary and not on (a temporary start, not managed past this agent),
// it names none; not on (a drop), none if it named this one. The first
// time it goes under management with no IAID recorded, iaid (nil: none)
// gives the one to keep (RFC 4361 §6), called on the recorder's queue. A
// failure is logged.
func (r *Recorder) Manage(st ManagedRecords, on, primary bool, iaid func() uint32) {
	r.Do(func() {
		if err := r.manage(st, on, primary, iaid); err != nil {
			r.log.Error("recording the managed interfaces failed", zap.Error(err))
		}
	})
}

// Primary queues the recording that the interface, under management
// already, is now the host's primary one (a start --primary answered
// RUNNING: no Manage comes with it). A failure is logged.
func (r *Recorder) Primary(st ManagedRecords) {
	if st == nil {
		return
	}
	name := r.name
	r.Do(func() {
		if err := st.UpdateHost(func(h *Host) { h.Primary = name }); err != nil {
			r.log.Error("recording the primary interface failed", zap.Error(err))
		}
	})
}

// PrimaryLeft queues, for an interface no longer the host's primary one,
// the correction of a host record that still names it: its own record of
// the role, on its queue, may have come after its successor's, on
// another recorder's. The record then names now's, called on the queue:
// the primary at that time. A failure is logged.
func (r *Recorder) PrimaryLeft(st ManagedRecords, now func() string) {
	name := r.name
	r.Do(func() {
		err := st.UpdateHost(func(h *Host) {
			if h.Primary == name {
				h.Primary = now()
			}
		})
		if err != nil {
			r.log.Error("recording the primary interface failed", zap.Error(err))
		}
	})
}

// Unmanage queues the recording that the interface is no longer under
// management, as Manage(st, false, ...) does (no longer the host's
// primary either, if it was), and hands the outcome to done on the
// recorder's queue instead of logging it: for a caller that answers by
// it, the drop of an interface whose link is gone (SPEC §2 hotplug). A
// nil st writes nothing and succeeds.
func (r *Recorder) Unmanage(st ManagedRecords, done func(error)) {
	r.Do(func() {
		var err error
		if st != nil {
			err = r.manage(st, false, false, nil)
		}
		done(err)
	})
}

// manage writes what Manage and Unmanage record, on the recorder's queue.
func (r *Recorder) manage(st ManagedRecords, on, primary bool, iaid func() uint32) error {
	name := r.name
	err := st.UpdateInterface(name, func(rec *Interface) {
		rec.Managed = on
		if on && rec.IAID == nil && iaid != nil {
			// The IAID in the client id of the lease to come (RFC 4361
			// §6): kept from now on, even if the MAC changes.
			v := iaid()
			rec.IAID = &v
		}
	})
	if err != nil {
		return err
	}
	return st.UpdateHost(func(h *Host) {
		switch {
		case on && primary:
			h.Primary = name
		case primary, !on && h.Primary == name:
			h.Primary = ""
		}
	})
}

// Preload has the lease record read into memory on the recorder's queue,
// so that LoadLease then reads no disk, and runs loaded there once it is
// in. Queued, the read comes after the writes asked before it and before
// those asked after: it never races a write. It reports whether it
// queued the read: when the record is in memory already (or nothing is
// written), it queues nothing and loaded never runs. A failed read leaves
// the record unknown: LoadLease reads the disk again, and its caller sees
// the error.
func (r *Recorder) Preload(loaded func()) bool {
	if r.st == nil {
		return false
	}
	r.mu.Lock()
	known := r.leaseKnown
	r.mu.Unlock()
	if known {
		return false
	}
	r.Do(func() {
		_, _ = r.LoadLease()
		loaded()
	})
	return true
}
