package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// Exactly one answer per command, whatever happens to the actor holding it
// (SPEC §3). An interface actor that restarts loses its state and the
// message it failed on; one that stops loses its mailbox. What each held
// is answered here: a restart carries a start waiting to bind over to the
// next incarnation, which resumes the interface and binds (retried), and
// answers the rest FAILEDIF; a stop answers all of it with its code.
// Commands still in a stopped actor's mailbox are answered by the manager,
// which routed them (messages.Inflight); a manager that restarts answers
// what it held (restarting).

// restarting answers what the failing incarnation holds, keeping a start
// for the next incarnation.
func (a *iface) restarting() { a.giveUp(ipc.ErrFailedIf, "failed", true) }

// stopping answers everything the actor still holds with code, what the
// record gate holds too: it will receive nothing more.
func (a *iface) stopping(code ipc.Code) {
	a.giveUp(code, "stopped", false)
	a.answerStashed(code)
}

// giveUp answers the commands the incarnation holds with code, saying
// why; with carry, all but the one the next incarnation retries
// (messages.Pending.Carry).
func (a *iface) giveUp(code ipc.Code, why string, carry bool) {
	a.quiesce()
	a.flushHeld()
	var rest []messages.Taken
	if carry {
		a.inc.carried, rest = a.pending.Carry()
	} else {
		rest = a.pending.TakeAll()
		if c := a.inc.carried; c != nil { // left by a failed incarnation, not resumed
			a.inc.carried = nil
			rest = append(rest, messages.Taken{Cmd: c})
		}
	}
	for _, p := range rest {
		p.Cmd.Answer(messages.Fail(code, "%s %s before the command completed", a.link.Name, why))
	}
	a.failCurrent()
}

// failCurrent answers the command whose handling failed, if it has no
// answer yet.
func (a *iface) failCurrent() {
	if c := a.inc.current; c != nil {
		a.inc.current = nil
		c.Answer(messages.Fail(ipc.ErrFailedIf, "%s failed while handling the command", a.link.Name))
	}
}

// flushHeld sends the replies held behind hooks and kernel work that will
// not be waited for any more: their events have happened.
func (a *iface) flushHeld() {
	a.hooks.Flush()
	a.dropHeld()
}

// restarting answers, INTERNAL, what the failing manager holds: its next
// incarnation starts afresh (it resumes the stored interfaces) and knows
// none of it. That is the commands waiting for the resume and for
// lookups, and those routed to the interface actors, which protoactor
// stops with the manager: what an actor answers as it stops, or answered
// before (behind its records and kernel work, Inflight.Stopped), comes
// first. Until it has restarted it only counts its actors' stops
// (terminated): nothing it would start now would be its successor's.
func (m *manager) restarting(ctx actor.Context) {
	m.env.Log.Error("the interface manager failed; restarting it")
	m.restarted = true
	gone := messages.Fail(ipc.ErrInternal, "the interface manager restarted before the command completed")
	for _, parked := range m.parked {
		for _, c := range parked {
			c.Answer(gone)
		}
	}
	m.parked = nil
	for name := range m.unmanaging {
		m.writeDrops(name) // answered by the next incarnation (missingDropped)
	}
	if m.early != nil {
		for _, c := range m.early.Drain() {
			c.Answer(gone)
		}
	}
	for _, c := range m.looking.Drain() {
		c.Answer(gone)
	}
	for id := range m.routed {
		pid := actor.NewPID(ctx.Self().Address, id)
		name, _ := m.roster.Of(pid)
		m.routed.Stopped(pid, ipc.ErrInternal, name, m.recorder(name),
			m.env.kernelWorker(name, m.env.Log.With(zap.String("iface", name))), m.env.Clock)
	}
}
