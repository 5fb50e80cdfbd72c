package actors

import (
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// This file is the interface actor's boundary with its callers: a command
// becomes a lease.Command, and the machine's Reply becomes the Result. Which
// command is allowed when, and which event answers it, the machine
// decides (lease/command.go).

// cancelled is posted when the caller of a pending command has gone.
type cancelled struct{ id uint64 }

// command hands a command to the machine.
func (a *iface) command(c *messages.Command) {
	if _, ok := c.Req.(messages.Panic); ok {
		if !a.env.TestHooks {
			c.Answer(messages.Fail(ipc.ErrInvalid, "unknown command %q", ipc.CmdPanic))
			return
		}
		a.log.Warn("panicking on request (test hook)")
		c.Answer(messages.OK())
		panic("injected panic (test hook)")
	}
	ev, ok := a.translate(c.Req)
	if !ok {
		c.Answer(messages.Fail(ipc.ErrInvalid, "%T is not an interface command", c.Req))
		return
	}
	a.post(c, false, ev) // a --primary takes the role only if admitted (takePrimary)
}

// translate reads a command into the machine's (messages.CommandOf), with
// what only the actor can find out: the stored lease, the interface's
// address.
func (a *iface) translate(req messages.Request) (lease.Command, bool) {
	c, ok := messages.CommandOf(req)
	switch {
	case c.Op == lease.OpStart && ok:
		c.Prior, c.Adopted = a.restore()
	case c.Op == lease.OpInform && !c.Addr.IsValid():
		c.Addr, _ = a.env.HostAddrs.First(a.link.Index)
	}
	return c, ok
}

// post keeps c in a.pending (messages.Pending), which numbers it, until
// the machine answers or withdraws it, and hands ev to the machine with
// that number. shutdown marks the agent's stop. What is pending for
// callers that have gone is withdrawn first (Pending.Left): their report
// (cancelled) may still be behind c, which it must not make PEND (SPEC
// §3).
func (a *iface) post(c *messages.Command, shutdown bool, ev lease.Event) {
	for _, left := range a.pending.Left() {
		a.cancel(left)
	}
	id := a.pending.Add(c, shutdown)
	switch ev := ev.(type) {
	case lease.Command:
		ev.ID = id
		a.handle(ev)
	case lease.Stop:
		ev.ID = id
		a.handle(ev)
	}
}

// cancel asks the machine to withdraw a pending command whose caller has
// gone; it decides (lease.Cancel) and says so with Withdrawn.
func (a *iface) cancel(id uint64) {
	if a.pending.Has(id) {
		a.handle(lease.Cancel{ID: id})
	}
}

// withdrawn forgets a command the machine withdrew: nobody answers it.
func (a *iface) withdrawn(id uint64) {
	if a.pending.Withdraw(id) {
		a.log.Info("caller gone: command withdrawn", zap.Uint64("id", id))
	}
}

// reply sends the machine's answer to its command (the hook driver's
// Reply).
func (a *iface) reply(r lease.Reply) { a.settle(r, nil) }

// settle sends the machine's answer to its command, by answer (which says
// what kern is for). An answer that ends management tells the manager
// first, so that a start that follows finds the interface free, then
// retires the actor.
func (a *iface) settle(r lease.Reply, kern *kernel.Worker) {
	p, ok := a.pending.Take(r.ID)
	if !ok {
		return // cancelled
	}
	rep := messages.ResultOf(a.link.Name, r, a.status)
	switch {
	case r.Ends && p.Shutdown:
		// The agent is stopping. The actor stops only once its answer is
		// out (records written, kernel work done): the manager's shutdown
		// counts an actor's stop as its answer, and must not let the agent
		// exit before this drop or release is done.
		root, self := a.root, a.self
		a.answerThen(p.Cmd, rep, kern, func() { root.Stop(self) })
	case r.Ends:
		a.root.Send(a.parent, &messages.Unmanaged{Ifname: a.link.Name, PID: a.self})
		a.answer(p.Cmd, rep, kern)
		a.inc.ended = true // not running since its Manage
		a.quiesce()
	default:
		a.answer(p.Cmd, rep, kern)
	}
}

// answer gives c its result once the records written before it are on
// disk (store.Recorder.After): a start answered OK is resumed by the next
// agent, even after kill -9, and a drop answered OK is not. kern is set
// for an answer let go before its kernel work reported back (dropHeld):
// it waits for that worker's queue first (kernel.Worker.AfterAtMost).
// Status and info say nothing of the records and ask no kernel work: they
// go at once, not behind a slow disk (the ping of control's settled is
// the barrier that waits).
func (a *iface) answer(c *messages.Command, r *messages.Result, kern *kernel.Worker) {
	a.answerThen(c, r, kern, func() {})
}

// answerThen answers c as answer does, then calls then.
func (a *iface) answerThen(c *messages.Command, r *messages.Result, kern *kernel.Worker, then func()) {
	if op, ok := messages.OpOf(c.Req); ok && (op == lease.OpStatus || op == lease.OpInfo) && kern == nil {
		c.Answer(r)
		then()
		return
	}
	rec := a.rec
	send := func() {
		rec.After(func() {
			c.Answer(r)
			then()
		})
	}
	if kern != nil {
		kern.AfterAtMost(a.env.Clock, send)
		return
	}
	send()
}

// shutdown drops or releases the interface as the agent stops (SPEC §2),
// keeping it under management for the next start; the machine chooses.
func (a *iface) shutdown(s *messages.Shutdown) {
	a.closing = true
	c := &messages.Command{Req: messages.Drop{Release: s.Release}, Reply: s.Reply}
	a.post(c, true, lease.Stop{Release: s.Release})
}
