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
// the writes, so the read never races the first persist) and stashes the
// messages that need the record (stash.Stash) until recordIn is posted
// back; then it handles them in the order they came. The stash is the
// incarnations' (a failure while handling one drops that one, as a
// restart drops its message, and the next incarnation handles the rest).
//
// What needs no record is not held, so that a slow or hung disk leaves
// no caller without an answer: until the record is in, the machine is
// idle (INIT), so status (status IF, and the manager's StatusQuery for
// status of all) is answered at once, BUSY; a deleted link ends
// the actor at once, its stash answered UNKIF (answers.go); and the
// agent's stop is answered at once, its stash answered SHUTDOWN and
// nothing in it carried out, unless the interface was running before a
// restart: then its lease is on the host, and the stop waits for the
// record to drop or release it (SPEC §2), within the manager's bound.
//
// The stash holds at most maxHeld messages. Beyond them (once the
// commands that only ask and are no longer waited for are let go) a
// command is answered LIMIT at once, as the admin actor's queue answers beyond
// run.MaxQueue; any other message (a carrier change) is dropped and
// logged.

// maxHeld bounds the messages an interface actor holds for its record.
const maxHeld = 1024

// recordIn is posted once the recorder holds the lease record.
type recordIn struct{}

// loadRecord has the recorder read the lease record unless it holds it or
// a read is under way; it reports whether the incarnation waits for it.
func (a *iface) loadRecord() bool {
	if a.env.Store != nil && !a.inc.loading {
		root, self := a.root, a.self
		a.inc.loading = a.rec.Preload(func() { root.Send(self, &recordIn{}) })
	}
	return a.inc.loading
}

// resumeOnRecord has a restarted incarnation's resume wait for the
// record, and the messages stashed before the failure wait for the
// resume: the one recordIn of the wait resumes (unstashAll).
func (a *iface) resumeOnRecord() {
	if !a.inc.loading {
		a.inc.loading = true
		a.root.Send(a.self, &recordIn{})
	}
}

// stashForRecord stashes ctx's message while the record loads, or answers
// it when it needs no record, and at recordIn handles what it stashed; it
// reports whether it took the message.
func (a *iface) stashForRecord(ctx actor.Context) bool {
	if _, ok := ctx.Message().(*recordIn); ok {
		a.inc.loading = false
		a.unstashAll(ctx)
		return true
	}
	if !a.inc.loading {
		return false
	}
	switch msg := ctx.Message().(type) {
	case *messages.Command:
		if op, ok := messages.OpOf(msg.Req); ok && op == lease.OpStatus {
			return false // the idle machine answers it, at once (commands.go answer)
		}
	case *messages.Link:
		if msg.Deleted {
			a.linkChanged(msg) // the actor ends, its stash answered UNKIF
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
	a.stash(ctx.Message()) // a carrier change in order with the start it follows, too
	return true
}

// stash sets msg aside until the record is in, or answers a command
// LIMIT when the stash is full even of what nobody waits for any more.
func (a *iface) stash(msg any) {
	if a.inc.stashed.PushPruning(msg, abandoned) {
		return
	}
	if c, ok := msg.(*messages.Command); ok {
		c.Answer(messages.Fail(ipc.ErrLimit, "%s holds %d messages already while its lease record is read",
			a.link.Name, maxHeld))
		return
	}
	a.log.Warn("too many messages held while the lease record is read: dropped one",
		zap.String("message", fmt.Sprintf("%T", msg)))
}

// abandoned reports whether a held message may go to make room: a
// command that only asks, whose caller stopped waiting. Any user may ping
// or ask info (SPEC §3), and with --wait 0 is answered TIMEOUT and frees
// its connection at once (ipc.Limits bound only what it holds open): what
// it leaves held must not make root's commands LIMIT.
func abandoned(msg any) bool {
	c, ok := msg.(*messages.Command)
	return ok && c.Abandoned()
}

// unstashAll, at the recordIn that ends the wait started began in place
// of the resume, resumes a restarted incarnation's interface (a first
// incarnation's is not running: nothing to resume), then handles the
// stashed messages in order, each taken off the stash before its
// handling.
func (a *iface) unstashAll(ctx actor.Context) {
	a.resumeAfterRestart()
	for !a.inc.loading {
		msg, ok := a.inc.stashed.Pop()
		if !ok {
			return
		}
		ctx.Receive(&actor.MessageEnvelope{Message: msg})
	}
}

// answerStashed answers what the stash holds, as the actor stops: each
// command with code, a stop of the agent's with OK (there is nothing
// more this actor will drop).
func (a *iface) answerStashed(code ipc.Code) {
	for _, msg := range a.inc.stashed.Drain() {
		switch msg := msg.(type) {
		case *messages.Command:
			msg.Answer(messages.Fail(code, "%s stopped before the command was handled", a.link.Name))
		case *messages.Shutdown:
			msg.Reply <- messages.OK()
		}
	}
}
