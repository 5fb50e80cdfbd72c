package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
)

// Exactly one answer per command, whatever happens to the actor holding it
// (SPEC §3). An interface actor that restarts loses its state and the
// message it failed on; one that stops loses its mailbox. What each of
// them held is answered here: a start waiting to bind is carried over to
// the restarted incarnation, which resumes the interface and binds
// (retried); everything else is answered FAILEDIF. Commands still queued
// in the mailbox of an actor that stopped are answered by the manager
// (inflight), which routed them.

// restarting answers what the failing incarnation holds, keeping a start
// for the next incarnation.
func (a *iface) restarting() { a.giveUp(ipc.ErrFailedIf, "failed", true) }

// stopping answers everything the actor still holds with code: it will
// receive nothing more.
func (a *iface) stopping(code ipc.Code) { a.giveUp(code, "stopped", false) }

// giveUp answers the commands the incarnation holds with code, saying why,
// all but, when carry is set, the one the next incarnation retries
// (lease.Op.Retried).
func (a *iface) giveUp(code ipc.Code, why string, carry bool) {
	a.quiesce()
	a.flushHeld()
	var rest []messages.Taken
	if carry {
		a.inc.carried, rest = a.pending.Carry()
	} else {
		rest = a.pending.TakeAll()
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

// flushHeld sends the replies held behind hooks that will not be waited
// for any more: their events have happened.
func (a *iface) flushHeld() {
	a.hooks.Flush()
	a.dropHeld() // and behind kernel work (apply.go)
}

// inflight is what the manager routed to each interface actor and has not
// seen answered, so that the mailbox of an actor that stops is answered
// too. Entries are pruned as they are answered.
type inflight map[string][]*messages.Command // PID id -> commands

// add records c as routed to pid, dropping the entries answered since.
func (f inflight) add(pid *actor.PID, c *messages.Command) {
	kept := f[pid.Id][:0]
	for _, old := range f[pid.Id] {
		if !old.Answered() {
			kept = append(kept, old)
		}
	}
	f[pid.Id] = append(kept, c)
}

// stopped answers, with code, every command routed to pid that has no
// answer: the actor will process none of them. The answers go behind the
// interface's pending writes (rec), as the actor's own do: an answer the
// actor gave before it stopped, waiting for its record, comes first and
// wins. So do they behind the interface's kernel work (kern, nil for
// none): an answer the actor gave waiting for its kernel work (dropHeld:
// a drop whose Remove is held when the actor restarts) goes first, and a
// drop that was done is not answered as failed.
func (f inflight) stopped(pid *actor.PID, code ipc.Code, ifname string, rec *store.Recorder, kern *kernel.Worker, clk clock.Clock) {
	cmds := f[pid.Id]
	delete(f, pid.Id)
	send := func() {
		rec.After(func() {
			for _, c := range cmds {
				c.Answer(messages.Fail(code, "%s stopped before the command was handled", ifname))
			}
		})
	}
	if kern == nil {
		send()
		return
	}
	kern.AfterAtMost(clk, send)
}
