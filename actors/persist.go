package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
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

// manage has the machine's Manage recorded, with whether the interface is
// the primary one (store.Recorder.Manage: the next agent resumes what is
// managed, SPEC §2). A temporary ipadm object's start is recorded as not
// managed: SPEC §4, -t is gone after a restart; if it made the interface
// primary, the host record names none (the one it named is not primary
// any more, and this one will not be managed after a restart). A drop or
// release ends the primary only if it is this one.
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
	a.rec.Manage(a.env.Store, on, a.inc.primary && m.On, iaid)
}

// An interface's first restore reads its lease record from the disk,
// which Receive must not do: the recorder reads it on its queue
// (store.Recorder.Preload: in order with the writes, never racing the
// first persist), and until it is in the incarnations' gate (stash.Gate)
// holds, in order, the messages that need it.

// maxHeld bounds the messages an interface actor holds for its record.
const maxHeld = 1024

// recordIn is posted once the recorder holds the lease record.
type recordIn struct{}

// abandoned reports whether a held message may go to make room
// (messages.Command.Abandoned).
func abandoned(msg any) bool {
	c, ok := msg.(*messages.Command)
	return ok && c.Abandoned()
}

// loadRecord has the recorder read the lease record unless it holds it or
// a read is under way; it reports whether the incarnation waits for it.
func (a *iface) loadRecord() bool {
	if a.env.Store != nil && !a.inc.record.Closed() {
		root, self := a.root, a.self
		if a.rec.Preload(func() { root.Send(self, &recordIn{}) }) {
			a.inc.record.Close()
		}
	}
	return a.inc.record.Closed()
}

// resumeOnRecord has a restarted incarnation's resume wait in the gate,
// closing it (and posting recordIn itself if no read is under way), so
// that the resume, at the wait's one recordIn, comes before the messages
// held before the failure (stashForRecord).
func (a *iface) resumeOnRecord() {
	if !a.inc.record.Closed() {
		a.inc.record.Close()
		a.root.Send(a.self, &recordIn{})
	}
}

// stashForRecord holds ctx's message while the record is read, and
// reports whether it took it. What needs no record is not held, so that a
// slow or hung disk leaves no caller without an answer: status goes on to
// the idle machine (INIT), answered at once, BUSY; the manager's word on
// the primary is taken at once; a deleted link ends the actor, what it
// held answered UNKIF; the agent's stop is answered at once, what was
// held SHUTDOWN and none of it carried out, unless the interface was
// running before a restart: its lease is on the host, and the stop waits
// for the record to drop or release it (SPEC §2), within the manager's
// bound. At recordIn it resumes a restarted incarnation's interface, then
// handles what was held, in order.
func (a *iface) stashForRecord(ctx actor.Context) bool {
	if _, ok := ctx.Message().(*recordIn); ok {
		a.inc.record.Open()
		a.resumeAfterRestart()
		for msg := range a.inc.record.Replay() {
			ctx.Receive(&actor.MessageEnvelope{Message: msg})
		}
		return true
	}
	if !a.inc.record.Closed() {
		return false
	}
	switch msg := ctx.Message().(type) {
	case *messages.Command:
		if op, ok := messages.OpOf(msg.Req); ok && op == lease.OpStatus {
			return false // the idle machine answers it, at once (commands.go answer)
		}
	case *messages.Primary:
		// Needs no record (a machine without a lease applies nothing
		// again), and is the manager's latest word: held, a full gate
		// dropped it, and a start --primary held before it, taking the
		// role after, lost it to the word that came before.
		return false
	case *messages.Link:
		if msg.Deleted {
			a.linkChanged(msg) // the actor ends, what it held answered UNKIF
			return true
		}
	case *messages.Shutdown:
		if !a.inc.running {
			a.closing = true
			a.stopping(ipc.ErrShutdown)
			msg.Reply <- messages.OK()
			a.root.Stop(a.self)
			return true
		}
	}
	a.stash(ctx.Message()) // a carrier change too: in order with the start it follows
	return true
}

// stash holds msg until the record is in. A command the full gate
// refuses (stash.Gate.Hold) is answered LIMIT at once, as the admin
// actor's queue answers beyond run.MaxQueue; the agent's stop is held in
// place of what the gate held; any other message (a carrier change) is
// dropped and logged.
func (a *iface) stash(msg any) {
	if a.inc.record.Hold(msg) {
		return
	}
	switch msg := msg.(type) {
	case *messages.Command:
		msg.Answer(messages.Fail(ipc.ErrLimit, "%s holds %d messages already while its lease record is read",
			a.link.Name, maxHeld))
		return
	case *messages.Shutdown:
		// Never refused, or the lease outlasts the agent (SPEC §2): what
		// the gate holds makes room, answered SHUTDOWN, for nothing of it
		// would outlast the stop.
		a.log.Warn("the agent stops while the gate for the lease record is full: what it held is answered SHUTDOWN")
		a.answerStashed(ipc.ErrShutdown)
		a.inc.record.Hold(msg)
		return
	}
	a.log.Warn("too many messages held while the lease record is read: dropped one",
		zap.String("message", fmt.Sprintf("%T", msg)))
}

// answerStashed answers what the gate holds, as the actor stops: each
// command with code, a stop of the agent's OK (this actor drops nothing
// more).
func (a *iface) answerStashed(code ipc.Code) {
	for _, msg := range a.inc.record.Drain() {
		switch msg := msg.(type) {
		case *messages.Command:
			msg.Answer(messages.Fail(code, "%s stopped before the command was handled", a.link.Name))
		case *messages.Shutdown:
			msg.Reply <- messages.OK()
		}
	}
}
