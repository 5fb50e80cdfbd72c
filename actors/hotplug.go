package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// link routes a link change to the interface's actor. A deleted link's
// interface stays managed, waiting for its link; a link that appears with
// the name of such an interface resumes it with INIT-REBOOT, no command
// needed (SPEC §2).
func (m *manager) link(ctx actor.Context, msg *messages.Link) {
	if pid, ok := m.children[msg.Ifname]; ok {
		switch {
		case msg.Deleted:
			// Route nothing more to it; what is already in its mailbox
			// is answered before it sees this.
			delete(m.children, msg.Ifname)
			m.missing[msg.Ifname] = true
		case msg.Appeared && msg.Up:
			return // first seen, carrier as expected: nothing changed for it
		}
		ctx.Send(pid, msg)
		return
	}
	if m.linkEvent(msg.Ifname) || msg.Deleted || !m.missing[msg.Ifname] || m.closing {
		return // a lookup in flight is made again: its answer may predate this
	}
	if m.env.Store != nil {
		// A temporary start (ipadm -t) is not resumed: its record says so.
		if rec, err := m.env.Store.Interface(msg.Ifname); err != nil || !rec.Managed {
			delete(m.missing, msg.Ifname)
			return
		}
	}
	m.lookUp(ctx, []string{msg.Ifname}, m.reappeared)
}

// reappeared resumes a managed interface whose link came back, once the
// lookup has found it.
func (m *manager) reappeared(ctx actor.Context, l *looked) {
	if l.errs[0] != nil || !m.missing[l.names[0]] {
		return // gone again already (the next report retries), or dropped meanwhile
	}
	link := l.links[0]
	pid := m.spawn(ctx, link)
	if m.primary == link.Name {
		ctx.Send(pid, &messages.Primary{On: true})
	}
	ctx.Send(pid, &messages.Resume{})
	m.env.Log.Info("managed interface's link appeared: resuming it", zap.String("iface", link.Name))
}

// missingCommand answers a command for a managed interface whose link is
// gone. drop ends its management (the lease record stays, as after any
// drop); nothing else can act on a link that is not there.
func (m *manager) missingCommand(c *messages.Command, name string) {
	if d, ok := c.Req.(messages.Drop); !ok || d.Release || m.env.Store == nil {
		c.Answer(messages.Fail(ipc.ErrUnkIf, "%s is managed but its link is gone; it resumes when the link returns", name))
		return
	}
	if err := m.env.Store.UpdateInterface(name, func(r *store.Interface) { r.Managed = false }); err != nil {
		c.Answer(messages.Fail(ipc.ErrInternal, "recording the drop of %s: %v", name, err))
		return
	}
	delete(m.missing, name)
	if m.primary == name {
		m.primary = ""
	}
	c.Answer(&messages.Result{Status: &messages.IfStatus{Ifname: name, State: lease.Init}})
}
