package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/roster"
	"go.uber.org/zap"
)

// link routes a link change to the interface's actor. A deleted link's
// interface stays managed, waiting for its link; a link that appears with
// the name of such an interface resumes it with INIT-REBOOT, no command
// needed (SPEC §2). A temporary one (ipadm -t, a start whose record says
// it is not to be resumed) is not managed past its link, as illumos
// drops a temporary object whose link goes: once its actor has stopped,
// its record is read (readGone) and it no longer stands as missing. A
// link that appears while an actor of its interface is still stopping,
// or while the drop of its missing interface is written, is handled
// once that is over (roster.LinkBack).
func (m *manager) link(ctx actor.Context, msg *messages.Link) {
	if pid, ok := m.roster.Actor(msg.Ifname); ok {
		switch {
		case msg.Deleted:
			// Route nothing more to it; what is already in its mailbox
			// is answered before it sees this.
			m.roster.LinkGone(msg.Ifname)
		case msg.Appeared && msg.Up:
			return // first seen, carrier as expected: nothing changed for it
		}
		ctx.Send(pid, msg)
		return
	}
	if m.looking.Event(msg.Ifname, msg) || msg.Deleted || !m.roster.LinkBack(msg.Ifname) || *m.closing {
		return // a lookup in flight is made again: its answer may predate this
	}
	if m.env.Store != nil {
		// A temporary start (ipadm -t) is not resumed: its record says so.
		m.readGone(ctx, msg.Ifname, msg)
		return
	}
	m.lookUp(ctx, []string{msg.Ifname}, m.reappeared)
}

// goneRecord is what the interface record of an interface whose link is
// gone says, posted back to the manager.
type goneRecord struct {
	name string
	// managed: the record says so, the interface resumes when its link
	// is back; not for a temporary start, or a record that cannot be read.
	managed bool
	err     error
	// appeared is the link event that asked, nil after a deletion.
	appeared *messages.Link
}

// readGone reads name's interface record on its recorder's queue, after
// the writes asked for before (an actor's Manage), and posts it back: not
// in Receive, for Store.Interface reads the records' directory when it
// could not be read at start-up.
func (m *manager) readGone(ctx actor.Context, name string, appeared *messages.Link) {
	st := m.env.Store
	root, self := ctx.ActorSystem().Root, ctx.Self()
	m.recorder(name).Do(func() {
		rec, err := st.Interface(name)
		root.Send(self, &goneRecord{name: name, managed: err == nil && rec.Managed, err: err, appeared: appeared})
	})
}

// goneRead ends the management of a missing interface whose record does
// not keep it managed, and resumes one that is when its link appeared.
func (m *manager) goneRead(ctx actor.Context, g *goneRecord) {
	if !m.roster.Missing(g.name) || *m.closing {
		return // started, resumed or dropped meanwhile, or the agent is stopping
	}
	if !g.managed {
		m.roster.EndMissing(g.name)
		if g.err != nil {
			m.env.Log.Warn("interface record unreadable: the interface is not managed past its link",
				zap.String("iface", g.name), zap.Error(g.err))
			return
		}
		m.env.Log.Info("temporary interface's link is gone: no longer managed", zap.String("iface", g.name))
		return
	}
	if g.appeared == nil || m.looking.Event(g.name, g.appeared) {
		return // waits for its link; or a lookup in flight is made again
	}
	m.lookUp(ctx, []string{g.name}, m.reappeared)
}

// reappeared resumes a managed interface whose link came back, once the
// lookup has found it.
func (m *manager) reappeared(ctx actor.Context, l *looked) {
	if l.errs[0] != nil || !m.roster.Missing(l.names[0]) {
		return // gone again already (the next report retries), or dropped meanwhile
	}
	m.resumeLink(ctx, l.links[0], "managed interface's link appeared: resuming it")
}

// missingDrop ends the management of an interface whose link is gone
// (lease.Unmanaged: the lease record stays, as after any drop). The record
// is written by the interface's recorder (store.Recorder.Unmanage, which
// also ends its being the stored primary), and the drop answered when it
// is.
func (m *manager) missingDrop(ctx actor.Context, c *messages.Command, name string) {
	// At once, so that the link coming back meanwhile does not resume it.
	drop := m.roster.MissingDropped(name)
	st, root, self := m.env.Store, ctx.ActorSystem().Root, ctx.Self()
	write := func() {
		m.recorder(name).Unmanage(st, func(err error) {
			root.Send(self, &missingDropped{cmd: c, drop: drop, err: err})
		})
	}
	if m.roster.Stopping(name) {
		// Its actor, its link deleted, may yet record it managed (a start
		// routed to it before): the drop is written after, once every
		// write that actor asks for is queued (writeDrops).
		if m.unmanaging == nil {
			m.unmanaging = make(map[string][]func())
		}
		m.unmanaging[name] = append(m.unmanaging[name], write)
		return
	}
	write()
}

// writeDrops asks for the writes of name's drops that waited for its
// stopping actors (missingDrop).
func (m *manager) writeDrops(name string) {
	for _, write := range m.unmanaging[name] {
		write()
	}
	delete(m.unmanaging, name)
}

// missingDropped is the outcome of writing a missing interface's drop.
type missingDropped struct {
	cmd  *messages.Command
	drop roster.Drop
	err  error
}

// dropped answers the drop of a missing interface; one that could not be
// recorded leaves it managed, as it was (roster.Undo), and a link of its
// name that appeared meanwhile, which resumed nothing then, is handled
// now as if it had just appeared.
func (m *manager) dropped(ctx actor.Context, d *missingDropped) {
	name := d.drop.Name()
	if d.err == nil {
		m.roster.Dropped(d.drop)
		d.cmd.Answer(&messages.Result{Status: &messages.IfStatus{Ifname: name, State: lease.Init}})
		return
	}
	linkBack := m.roster.Undo(d.drop)
	d.cmd.Answer(messages.Fail(ipc.ErrInternal, "recording the drop of %s: %v", name, d.err))
	if linkBack {
		m.link(ctx, appeared(name))
	}
}

// appeared is the event of a link called name that appeared, handled
// once what kept it from resuming its interface is over (roster.LinkBack):
// up, as an appearing link is reported, for the lookup it leads to says
// what the link is.
func appeared(name string) *messages.Link {
	return &messages.Link{Ifname: name, Up: true, Appeared: true}
}
