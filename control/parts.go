package control

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// part is one of the actors the IPC actor forwards to (the manager, the
// admin actor) and what the IPC actor knows of it: whether it stopped for
// good, and what it was sent and has not answered. It is the IPC actor's
// alone (not safe for concurrent use).
type part struct {
	pid  *actor.PID
	name string // for an operator: which part of the agent failed
	// gone is set once the part stopped for good: its commands are then
	// answered INTERNAL at once, never sent to a PID whose mailbox is
	// gone.
	gone bool
	// sent holds, under pid, the commands forwarded to the part and not
	// yet answered (nor given up on by their callers, as of the last
	// send), for orphan.
	sent messages.Inflight
}

func newPart(pid *actor.PID, name string) *part {
	return &part{pid: pid, name: name, sent: make(messages.Inflight)}
}

// send forwards c to the part, or answers it INTERNAL when the part has
// stopped for good.
func (p *part) send(s actor.SenderContext, c *messages.Command) {
	if p.gone {
		c.Answer(messages.Fail(ipc.ErrInternal, "%s stopped for good after repeated failures; restart the agent", p.name))
		return
	}
	p.sent.Add(p.pid, c) // holds no more than the callers waiting now
	s.Send(p.pid, c)
}

// stop takes note that the part stopped for good. It returns false when
// it had already, and how many of the commands it was sent may still
// wait for it (those answered since the last send included): when none,
// there is nothing for orphan to answer.
func (p *part) stop() (waiting int, first bool) {
	if p.gone {
		return 0, false
	}
	p.gone = true
	return len(p.sent[p.pid.Id]), true
}

// orphan answers INTERNAL what the part was sent and has not answered
// itself (an answered command keeps its answer), and forgets it all.
func (p *part) orphan() {
	for _, c := range p.sent.Take(p.pid) {
		c.Answer(messages.Fail(ipc.ErrInternal, "%s stopped before it answered the command", p.name))
	}
}
