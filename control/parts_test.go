package control

import (
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// TestPart: a part is sent commands until it stops; then a command is
// answered INTERNAL at once, naming it, and not sent; orphan answers what
// it was sent and did not answer, leaving the answers it gave, and forgets
// it all; a second stop is not a first.
func TestPart(t *testing.T) {
	system := quietSystem(t)
	got := make(chan *messages.Command, 4)
	pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if c, ok := ctx.Message().(*messages.Command); ok {
			got <- c
		}
	}))
	next := func() *messages.Command {
		t.Helper()
		select {
		case c := <-got:
			return c
		case <-time.After(5 * time.Second):
			t.Fatal("the part was sent nothing within 5 s")
			return nil
		}
	}
	replies := make(map[*messages.Command]chan *messages.Result)
	command := func() *messages.Command {
		ch := make(chan *messages.Result, 1)
		c := &messages.Command{Req: messages.Status{}, Reply: ch}
		replies[c] = ch
		return c
	}
	// answer is c's answer so far: Answer is synchronous, so what is
	// not there now has not been given.
	answer := func(c *messages.Command) *messages.Result {
		select {
		case r := <-replies[c]:
			return r
		default:
			return &messages.Result{Message: "no answer"}
		}
	}
	p := newPart(pid, "the test part")
	answered, held := command(), command()
	p.send(system.Root, answered)
	p.send(system.Root, held)
	if c := next(); c != answered {
		t.Fatal("the first command sent is not the first received")
	}
	if c := next(); c != held {
		t.Fatal("the second command sent is not the second received")
	}
	answered.Answer(messages.Fail(ipc.ErrFailedIf, "its own"))

	if waiting, first := p.stop(); !first || waiting != 2 {
		t.Fatalf("stop = %d, %v; want 2 (answered since the last send included), true", waiting, first)
	}
	if _, first := p.stop(); first {
		t.Fatal("a second stop is a first")
	}

	late := command()
	p.send(system.Root, late)
	r := answer(late) // answered at once: no wait
	if r.Code != ipc.ErrInternal || !strings.Contains(r.Message, "the test part") || !strings.Contains(r.Message, "stopped for good") {
		t.Fatalf("a command for the stopped part = %+v, want INTERNAL naming it", r)
	}
	probe := command()
	system.Root.Send(pid, probe)
	if c := next(); c != probe {
		t.Fatal("a command for the stopped part was sent to it")
	}

	if held.Answered() {
		t.Fatal("the held command was answered before orphan")
	}
	p.orphan()
	if r := answer(held); r.Code != ipc.ErrInternal || !strings.Contains(r.Message, "the test part") {
		t.Fatalf("the held command after orphan = %+v, want INTERNAL naming the part", r)
	}
	if r := answer(answered); r.Code != ipc.ErrFailedIf {
		t.Fatalf("the answered command after orphan = %+v, want its own answer", r)
	}
	if len(p.sent) != 0 {
		t.Fatalf("orphan left %d entries", len(p.sent))
	}
}
