package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/stash"
	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// At start-up the manager resumes every interface that was under
// management when the agent last stopped (SPEC §2: no start command is
// needed again). Reading that list is disk work, and Store.Managed writes
// back (with fsync) the interface records it had to rebuild from leases:
// none of it runs in the manager's Receive. A goroutine reads the store
// and posts resumed back; until then commands wait in the manager's gate
// (early, a stash.Gate), so that nothing started by hand or by an address
// object races the resume of the same interface.
//
// Link events do not wait: until the resume is in nothing is managed (no
// actor, no missing interface, no lookup out) that they could concern,
// and the stored interfaces' lookups, made once it is in, read the kernel
// after them. Holding them only made those lookups stale.

// maxEarly bounds the commands that wait for the resume; one more is
// answered LIMIT at once, as the interface actor and the admin actor
// answer one beyond what they hold.
const maxEarly = 1024

// resumed is what the store said at start-up (store.ReadStartup), posted
// back to the manager.
type resumed struct {
	*store.Startup
	err error
}

// resume reads the stored interfaces on a goroutine.
func (m *manager) resume(ctx actor.Context) {
	st := m.env.Store
	if st == nil || *m.closing {
		return // a restart during the agent's stop resumes nothing
	}
	m.early = stash.NewGate[*messages.Command](maxEarly, (*messages.Command).Abandoned)
	m.early.Close()
	root, self := ctx.ActorSystem().Root, ctx.Self()
	go func() {
		s, err := store.ReadStartup(st)
		root.Send(self, &resumed{Startup: s, err: err})
	}()
}

// hold keeps the commands in the gate until the resume is in; one it
// refuses is answered LIMIT. A shutdown does not wait: what waited is
// answered SHUTDOWN.
func (m *manager) hold(ctx actor.Context) bool {
	switch msg := ctx.Message().(type) {
	case *messages.Command:
		if !m.early.Hold(msg) {
			msg.Answer(messages.Fail(ipc.ErrLimit, "%d commands are waiting already for the stored interfaces to be read", maxEarly))
		}
		return true
	case *messages.Shutdown:
		m.shutdown(ctx, msg)
		m.replayEarly(ctx)
		return true
	}
	return false
}

// resumed looks the stored interfaces' links up (lookup.go), resumes
// those found, and only then routes what waited for the resume.
func (m *manager) resumed(ctx actor.Context, r *resumed) {
	if !m.early.Closed() {
		return // the agent stopped first
	}
	if r.err != nil {
		m.env.Log.Error("reading the managed interfaces failed", zap.Error(r.err))
		m.replayEarly(ctx)
		return
	}
	m.roster.SetPrimary(r.Primary)
	// What waited goes on once the stored interfaces have their actors: a
	// status of all asked meanwhile shows them (the READY=1 summary), not
	// the empty list of before their lookups came back. A shutdown
	// meanwhile answers it itself (hold).
	m.lookUp(ctx, r.Managed, func(ctx actor.Context, l *looked) {
		m.resumeFound(ctx, l, r.Owned)
		m.replayEarly(ctx)
	})
}

// replayEarly ends the resume's wait and routes the commands that
// waited, in order.
func (m *manager) replayEarly(ctx actor.Context) {
	m.early.Open()
	for c := range m.early.Replay() {
		m.route(ctx, c)
	}
}

// resumeFound resumes the stored interfaces whose links are there.
func (m *manager) resumeFound(ctx actor.Context, l *looked, owned func(string) bool) {
	// Every stored interface is known as managed before any of them
	// resumes: the first one's conflict check must not mistake the
	// second's address, still on its link, for a stranger's (SPEC §2).
	links := make([]Link, 0, len(l.names))
	for i, name := range l.names {
		if err := l.errs[i]; err != nil {
			m.env.Log.Warn("managed interface is missing; it resumes when its link appears",
				zap.String("iface", name), zap.Error(err))
			m.roster.LinkGone(name)
			continue
		}
		m.env.HostAddrs.Manage(l.links[i].Index, l.links[i].Name)
		links = append(links, l.links[i])
	}
	for _, link := range links {
		if owned(link.Name) {
			m.env.Log.Info("interface left to its DHCP address object", zap.String("iface", link.Name))
			continue
		}
		m.resumeLink(ctx, link, "resuming interface")
	}
}
