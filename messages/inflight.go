package messages

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/store"
)

// Inflight is what the manager routed to each interface actor and has not
// seen answered, so that the mailbox of an actor that stops is answered
// too (SPEC §3: exactly one answer per command). Entries are pruned as
// they are answered. It is its owner's alone (not safe for concurrent
// use).
type Inflight map[string][]*Command // PID id -> commands

// Add records c as routed to pid, dropping the entries answered since.
func (f Inflight) Add(pid *actor.PID, c *Command) {
	kept := f[pid.Id][:0]
	for _, old := range f[pid.Id] {
		if !old.Answered() {
			kept = append(kept, old)
		}
	}
	f[pid.Id] = append(kept, c)
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
	cmds := f[pid.Id]
	delete(f, pid.Id)
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
