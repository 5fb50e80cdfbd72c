package actors

import (
	"context"
	"encoding/hex"
	"net/netip"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// This file is the interface actor's boundary with IPC: a request becomes
// a lease.Command, and the machine's Reply becomes the ipc.Reply. Which
// command is allowed when, and which event answers it, the machine
// decides (lease/command.go).

// pending is a command the machine has yet to answer.
type pending struct {
	cmd       *messages.Command
	op        lease.Op
	temporary bool        // a temporary ipadm object's start: not resumed
	shutdown  bool        // the agent's stop: the actor ends once answered
	unwatch   func() bool // stops watching the caller's context
}

// cancelled is posted when the caller of a pending command has gone.
type cancelled struct{ id uint64 }

// command hands an IPC command to the machine.
func (a *iface) command(c *messages.Command) {
	req := c.Req
	if req.Command == ipc.CmdPanic && a.env.TestHooks {
		a.log.Warn("panicking on request (test hook)")
		c.Answer(ipc.OK(req))
		panic("injected panic (test hook)")
	}
	ev, ok := a.translate(req)
	if !ok {
		c.Answer(ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command))
		return
	}
	if req.Command == ipc.CmdStart && req.Args[ipc.ArgPrimary] == "yes" {
		a.setPrimary(true)
	}
	a.post(&pending{cmd: c, op: ev.Op, temporary: req.Args[ipc.ArgTemporary] == "yes"}, ev)
}

// translate reads a request into the machine's command, with what only
// the actor can find out: the stored lease, the interface's address.
func (a *iface) translate(req *ipc.Request) (lease.Command, bool) {
	switch req.Command {
	case ipc.CmdStart:
		prior, adopted := a.restore()
		return lease.Command{Op: lease.OpStart, Prior: prior, Adopted: adopted, Hostname: req.Args[ipc.ArgHostname]}, true
	case ipc.CmdExtend:
		return lease.Command{Op: lease.OpExtend}, true
	case ipc.CmdRelease:
		return lease.Command{Op: lease.OpRelease}, true
	case ipc.CmdDrop:
		return lease.Command{Op: lease.OpDrop}, true
	case ipc.CmdInform:
		addr, _ := a.staticAddr()
		if p, err := netip.ParsePrefix(req.Args[ipc.ArgAddress]); err == nil {
			addr = p // refresh-addr -i names the static address object's address
		}
		return lease.Command{Op: lease.OpInform, Addr: addr}, true
	case ipc.CmdPing:
		return lease.Command{Op: lease.OpPing}, true
	case ipc.CmdStatus:
		return lease.Command{Op: lease.OpStatus}, true
	case ipc.CmdInfo:
		return lease.Command{Op: lease.OpInfo, Option: req.Args[ipc.ArgOption]}, true
	}
	return lease.Command{}, false
}

// post numbers p, remembers it until the machine answers, and hands ev to
// the machine. A caller that goes away before the answer cancels it, so
// that it no longer makes other commands PEND.
func (a *iface) post(p *pending, ev lease.Event) {
	a.lastID++
	id := a.lastID
	a.pending[id] = p
	if ctx := p.cmd.Ctx; ctx != nil {
		root, self := a.root, a.self
		p.unwatch = context.AfterFunc(ctx, func() { root.Send(self, &cancelled{id: id}) })
	}
	switch ev := ev.(type) {
	case lease.Command:
		ev.ID = id
		a.handle(ev)
	case lease.Stop:
		ev.ID = id
		a.handle(ev)
	}
}

// cancel withdraws a pending command whose caller has gone.
func (a *iface) cancel(id uint64) {
	p, ok := a.pending[id]
	if !ok || p.op == lease.OpDrop || p.op == lease.OpRelease {
		return // answered meanwhile, or ending management: that completes anyway
	}
	delete(a.pending, id)
	p.cmd.Withdraw()
	a.log.Info("caller gone: command withdrawn", zap.Uint64("id", id))
	a.handle(lease.Cancel{ID: id})
}

// reply sends the machine's answer to its command. An answer that ends
// management tells the manager first (so that a start that follows finds
// the interface free), then retires the actor.
func (a *iface) reply(r lease.Reply) {
	p, ok := a.pending[r.ID]
	if !ok {
		return // cancelled
	}
	delete(a.pending, r.ID)
	if p.unwatch != nil {
		p.unwatch()
	}
	req := p.cmd.Req
	var rep *ipc.Reply
	if r.Code != lease.CodeOK {
		rep = ipc.Fail(req, ipc.Code(r.Code), "%s: %s", a.link.Name, r.Reason)
	} else {
		rep = ipc.OK(req)
		if r.Status {
			s := a.status()
			rep.Status = &s
		}
		if r.Values != nil || r.Raw != nil {
			rep.Values, rep.Raw = r.Values, hex.EncodeToString(r.Raw)
		}
	}
	switch {
	case r.Ends && p.shutdown:
		p.cmd.Answer(rep)
		a.root.Stop(a.self) // the agent is stopping: nothing more will come
	case r.Ends:
		a.root.Send(a.parent, &messages.Unmanaged{Ifname: a.link.Name, PID: a.self})
		p.cmd.Answer(rep)
		a.inc.running = false
		a.inc.ended = true
		a.quiesce()
	default:
		p.cmd.Answer(rep)
	}
}

// shutdown drops or releases the interface as the agent stops (SPEC §2),
// keeping it under management for the next start; the machine chooses.
func (a *iface) shutdown(s *messages.Shutdown) {
	a.closing = true
	c := &messages.Command{Req: &ipc.Request{Version: ipc.Version, Command: ipc.CmdDrop}, Reply: s.Reply}
	a.post(&pending{cmd: c, op: lease.OpDrop, shutdown: true}, lease.Stop{Release: s.Release})
}
