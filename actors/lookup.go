package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lookup"
	"github.com/dhcpagent/dhcpagent/messages"
)

// The manager looks links up by name (one RTM_GETLINK each) when a start
// or inform puts a new interface under management, when the agent resumes
// its interfaces at start-up, and when a managed interface's link comes
// back. None of it runs in the manager's Receive: a thousand interfaces
// started at once would queue every other command behind a thousand
// netlink round trips. A goroutine does the lookups and posts looked
// back; meanwhile the names' commands wait in m.looking (lookup.Queue).

// looked is the answer to one lookup of names, posted back to the
// manager.
type looked struct {
	names []string
	links []Link
	errs  []error
	// then, if set, runs in the manager with the answer before the
	// queued commands are routed again.
	then func(ctx actor.Context, l *looked)
}

// found is a lookup's answer, which route uses for the commands it
// routes again instead of asking the kernel again (lookup.Queue.Fresh).
type found struct {
	link Link
	err  error
}

// lookUp starts looking names up on a goroutine. The answer comes back as
// a looked message; until then the names' commands wait in m.looking.
func (m *manager) lookUp(ctx actor.Context, names []string, then func(actor.Context, *looked)) {
	m.looking.Begin(names...)
	m.ask(ctx, &looked{names: names, then: then})
}

// ask runs l's lookups on a goroutine, whose wait is bounded by the
// netlink socket's timeout (kernel.Timeout).
func (m *manager) ask(ctx actor.Context, l *looked) {
	root, self, links := ctx.ActorSystem().Root, ctx.Self(), m.env.Links
	go func() {
		l.links, l.errs = make([]Link, len(l.names)), make([]error, len(l.names))
		for i, n := range l.names {
			l.links[i], l.errs[i] = links.ByName(n)
		}
		root.Send(self, l)
	}()
}

// answered hands a lookup's answer to m.looking (lookup.Queue.Looked):
// asked again while a link event makes it stale, MaxAgain times at most;
// else then runs, the waiting commands are routed, and last the link
// events the answer may predate are handled as if they had just come: a
// deletion reaches the actor the answer made, or marks the interface
// missing.
func (m *manager) answered(ctx actor.Context, l *looked) {
	answers := make([]found, len(l.names))
	for i := range l.names {
		answers[i] = found{l.links[i], l.errs[i]}
	}
	o := lookup.Owner[*messages.Command, *messages.Link]{
		Stopping: *m.closing,
		Again:    func() { m.ask(ctx, &looked{names: l.names, then: l.then}) },
		Route:    func(c *messages.Command) { m.route(ctx, c) },
		Late:     func(ev *messages.Link) { m.link(ctx, ev) },
	}
	if l.then != nil {
		o.Then = func() { l.then(ctx, l) }
	}
	m.looking.Looked(l.names, answers, o)
}

// shutdownLookups answers every command waiting for a lookup at once: the
// agent is stopping and nothing they would start is started.
func (m *manager) shutdownLookups() {
	for _, c := range m.looking.Drain() {
		c.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping"))
	}
}
