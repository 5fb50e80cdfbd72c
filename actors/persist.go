package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// restore reads the interface's lease record. It returns the lease when it
// is still valid, and whether its address is on the interface already (a
// restart after kill -9 or a crash: adopt it without removing it):
// store.Lease.Resume decides and logs which.
func (a *iface) restore() (prior *lease.Lease, adopted bool) {
	if a.env.Store == nil {
		return nil, false
	}
	rec, err := a.rec.LoadLease()
	if err != nil {
		a.log.Error("reading the lease record failed", zap.Error(err))
		return nil, false
	}
	return rec.Resume(a.m.Config(), a.env.Clock.Now(), a.onLink, a.log)
}

// persist has the lease record written (the machine's Persist), by the
// interface's recorder (store.Recorder.SetLeaseOf).
func (a *iface) persist(l *lease.Lease) {
	if a.env.Store == nil {
		return
	}
	a.rec.SetLeaseOf(l.Addr.String(), l.FirstACK, l.ACK, l.Began, a.env.Clock.Now())
}

// forget has the lease record deleted (the machine's Forget).
func (a *iface) forget() { a.rec.SetLease(nil) }

// manage records whether the interface is under management, so that the
// next agent resumes it (SPEC §2), and whether it is the primary one: the
// machine's Manage. A temporary ipadm object's start is not resumed
// (SPEC §4: -t is gone after a restart). The recorder writes it.
func (a *iface) manage(m lease.Manage) {
	on := m.On
	if a.pending.Command(m.ID).Temporary() {
		on = false
	}
	if a.env.Store == nil {
		return
	}
	var iaid func() uint32
	if f, link := a.env.IAID, a.link; f != nil {
		iaid = func() uint32 { return f(link) }
	}
	a.rec.Manage(a.env.Store, on, a.inc.primary, iaid)
}

// The first restore of an interface reads its lease record: disk work, not
// for Receive. An incarnation whose recorder does not hold the record has
// it read on the recorder's queue (store.Recorder.Preload: in order with
// the writes, so the read never races the first persist), and holds every
// message but its own life-cycle ones until recordIn is posted back; then
// it handles them in the order they came. The held messages are the
// incarnations' (a failure while handling one drops that one, as a
// restart drops its message, and the next incarnation handles the rest).

// recordIn is posted once the recorder holds the lease record.
type recordIn struct{}

// resumeRestarted is a restarted incarnation's resume (started), held
// until the record is in.
type resumeRestarted struct{}

// loadRecord has the recorder read the lease record unless it holds it or
// a read is under way; it reports whether the incarnation waits for it.
func (a *iface) loadRecord() bool {
	if a.env.Store != nil && !a.inc.loading {
		root, self := a.root, a.self
		a.inc.loading = a.rec.Preload(func() { root.Send(self, &recordIn{}) })
	}
	return a.inc.loading
}

// holdRestart has a restarted incarnation's resume wait for the record
// and the messages held before the failure, handled after the resume.
func (a *iface) holdRestart() {
	a.inc.held = append([]any{&resumeRestarted{}}, a.inc.held...)
	if !a.inc.loading {
		a.inc.loading = true
		a.root.Send(a.self, &recordIn{})
	}
}

// holdForRecord holds ctx's message while the record loads, and at
// recordIn handles what it held; it reports whether it took the message.
func (a *iface) holdForRecord(ctx actor.Context) bool {
	if _, ok := ctx.Message().(*recordIn); ok {
		a.inc.loading = false
		a.replayHeld(ctx)
		return true
	}
	if !a.inc.loading {
		return false
	}
	a.inc.held = append(a.inc.held, ctx.Message())
	return true
}

// replayHeld handles the held messages in order, each taken off the list
// before its handling.
func (a *iface) replayHeld(ctx actor.Context) {
	for len(a.inc.held) > 0 && !a.inc.loading {
		msg := a.inc.held[0]
		a.inc.held = a.inc.held[1:]
		if _, ok := msg.(*resumeRestarted); ok {
			a.resumeAfterRestart()
			continue
		}
		ctx.Receive(&actor.MessageEnvelope{Message: msg})
	}
}
