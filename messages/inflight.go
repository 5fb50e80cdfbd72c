package messages

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/store"
)

// Inflight is what an actor handed on to another and has not seen
// answered: the manager's commands routed to each interface actor, the
// IPC actor's to the manager and the admin actor; so that what the
// mailbox of an actor that stops held is answered too (SPEC §3: exactly
// one answer per command). Entries are pruned as they are answered, or as
// their callers stop waiting (an answer would reach nobody). It is its
// owner's alone (not safe for concurrent use).
type Inflight map[string][]*Command // PID id -> commands

// Add records c as handed on to pid, dropping the entries answered or
// given up on since.
func (f Inflight) Add(pid *actor.PID, c *Command) {
	kept := f[pid.Id][:0]
	for _, old := range f[pid.Id] {
		if !old.Answered() && (old.Ctx == nil || old.Ctx.Err() == nil) {
			kept = append(kept, old)
		}
	}
	f[pid.Id] = append(kept, c)
}

// Take forgets what was handed on to pid and returns it (answered ones
// too, whose Answer does nothing).
func (f Inflight) Take(pid *actor.PID) []*Command {
	cmds := f[pid.Id]
	delete(f, pid.Id)
	return cmds
}

// Stopped answers, with code, every command routed to pid that has no
// answer: the actor will process none of them. The answers go behind the
// interface's pending writes (rec), as the actor's own do: an answer the
// actor gave before it stopped, waiting for its record, comes first and
// wins. So do they behind the interface's kernel work (kern, nil for
// none): an answer the actor gave waiting for its kernel work (dropHeld:
// a drop whose Remove is held when the actor restarts) goes first, and a
// drop that was done is not answered as failed. The wait for the kernel
// is bounded (kernel.Worker.AfterAtMost on clk).
func (f Inflight) Stopped(pid *actor.PID, code ipc.Code, ifname string, rec *store.Recorder, kern *kernel.Worker, clk clock.Clock) {
	cmds := f.Take(pid)
	send := func() {
		rec.After(func() {
			for _, c := range cmds {
				c.Answer(Fail(code, "%s stopped before the command was handled", ifname))
			}
		})
	}
	if kern == nil {
		send()
		return
	}
	kern.AfterAtMost(clk, send)
}
