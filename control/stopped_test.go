package control

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock/clocktest"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// boom makes a fake part panic.
type boom struct{}

// stoppedParts is an IPC actor in front of a fake manager and admin
// actor, which answer OK, or hand the commands to the test when hold is
// set, and panic at a boom. gone reports each part the IPC actor has seen
// stop for good.
type stoppedParts struct {
	system         *actor.ActorSystem
	manager, admin *actor.PID
	ipc            *actor.PID
	clock          *clocktest.Manual
	held           chan *messages.Command
	gone           chan string
}

func newStoppedParts(t *testing.T, hold bool) *stoppedParts {
	t.Helper()
	p := &stoppedParts{
		system: actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
			func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }))),
		clock: clocktest.New(time.Unix(0, 0)),
		held:  make(chan *messages.Command, 4),
		gone:  make(chan string, 4),
	}
	t.Cleanup(p.system.Shutdown)
	part := func(ctx actor.Context) {
		switch c := ctx.Message().(type) {
		case boom:
			panic("boom")
		case *messages.Command:
			if hold {
				p.held <- c
				return
			}
			c.Answer(messages.OK())
		}
	}
	// Top-level, as in the agent (agent/tree.go): protoactor's default
	// supervision, which stops an actor for good past 10 restarts in 10 s.
	p.manager = p.system.Root.Spawn(actor.PropsFromFunc(part))
	p.admin = p.system.Root.Spawn(actor.PropsFromFunc(part))
	log := zap.New(zapcore.NewNopCore()).WithOptions(zap.WrapCore(func(zapcore.Core) zapcore.Core {
		return &goneCore{gone: p.gone}
	}))
	p.ipc = p.system.Root.Spawn(props(p.manager, p.admin, log, -1, p.clock))
	return p
}

// goneCore passes on the IPC actor's word that a part stopped for good.
type goneCore struct{ gone chan<- string }

func (c *goneCore) Enabled(zapcore.Level) bool        { return true }
func (c *goneCore) With([]zapcore.Field) zapcore.Core { return c }
func (c *goneCore) Sync() error                       { return nil }
func (c *goneCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}
func (c *goneCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	if strings.Contains(e.Message, "stopped for good") {
		for _, f := range fs {
			if f.Key == "actor" {
				c.gone <- f.String
			}
		}
	}
	return nil
}

// forward forwards a request as the control socket does, with no wait
// of its own (--wait -1): only an answer ends it within 5 s; nil when
// none came.
func (p *stoppedParts) forward(command string) *ipc.Reply {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	forever := int64(-1)
	r := Forward(ctx, p.system.Root, p.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 9,
		Command: command, Ifname: "eth0", WaitMs: &forever})
	if ctx.Err() != nil {
		return nil
	}
	return r
}

func (p *stoppedParts) do(t *testing.T, command string) *ipc.Reply {
	t.Helper()
	r := p.forward(command)
	if r == nil {
		t.Fatalf("%s had no answer within 5 s", command)
	}
	return r
}

// kill stops pid for good, as its supervisor does past the restart limit
// (panics) or as a Stop does.
func (p *stoppedParts) kill(t *testing.T, pid *actor.PID, panics bool) {
	t.Helper()
	if panics {
		for range 11 {
			p.system.Root.Send(pid, boom{})
		}
	} else {
		p.system.Root.Stop(pid)
	}
	select {
	case id := <-p.gone:
		if id != pid.Id {
			t.Fatalf("the IPC actor saw %s stop, want %s", id, pid.Id)
		}
	case <-time.After(5 * time.Second):
		// Not fatal: what its callers are answered says the rest.
		t.Errorf("the IPC actor did not see %s stop within 5 s", pid.Id)
	}
}

// TestIPCAnswersForAStoppedPart: once the manager or the admin actor has
// stopped for good (its supervisor gave up on it after repeated panics,
// or it was stopped), a request for it is answered INTERNAL at once,
// saying which part failed; it used to be sent to the dead PID, and its
// caller waited its whole wait (for ever with --wait -1). The other part
// still answers.
func TestIPCAnswersForAStoppedPart(t *testing.T) {
	for _, tc := range []struct {
		name          string
		admin, panics bool
	}{
		{name: "manager stopped"},
		{name: "manager failed too often", panics: true},
		{name: "admin stopped", admin: true},
		{name: "admin failed too often", admin: true, panics: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newStoppedParts(t, false)
			dead, deadCmd, aliveCmd, part := p.manager, ipc.CmdStatus, ipc.CmdShowIf, "interface manager"
			if tc.admin {
				dead, deadCmd, aliveCmd, part = p.admin, ipc.CmdShowIf, ipc.CmdStatus, "interface administration"
			}
			p.kill(t, dead, tc.panics)
			r := p.do(t, deadCmd)
			if r.Error != ipc.ErrInternal || !strings.Contains(r.Message, part) || !strings.Contains(r.Message, "stopped for good") {
				t.Fatalf("%s once the %s stopped = %+v, want INTERNAL naming it", deadCmd, part, r)
			}
			if r := p.do(t, aliveCmd); r.Error != "" {
				t.Fatalf("%s, for the part still running = %+v, want OK", aliveCmd, r)
			}
		})
	}
}

// TestIPCAnswersWhatAStoppedPartHeld: what was sent to a part before it
// stopped for good (in its mailbox, discarded with it, or held) is
// answered INTERNAL orphanWait after, unless the part answered it
// itself meanwhile (a job that runs on answers when done).
func TestIPCAnswersWhatAStoppedPartHeld(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer *messages.Result // given by the part after its stop; nil: none
		want   ipc.Code
	}{
		{name: "never answered", want: ipc.ErrInternal},
		{name: "answered by the part", answer: messages.Fail(ipc.ErrFailedIf, "its own"), want: ipc.ErrFailedIf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newStoppedParts(t, true)
			got := make(chan *ipc.Reply, 1)
			go func() { got <- p.forward(ipc.CmdStatus) }()
			var held *messages.Command
			select {
			case held = <-p.held:
			case <-time.After(5 * time.Second):
				t.Fatal("the manager was not sent the status")
			}
			p.kill(t, p.manager, false)
			if tc.answer != nil {
				held.Answer(tc.answer)
			}
			p.clock.Advance(orphanWait - time.Nanosecond)
			if tc.answer == nil {
				select {
				case r := <-got:
					t.Fatalf("answered %+v before orphanWait: the part's own answer had no time", r)
				default:
				}
			}
			p.clock.Advance(time.Nanosecond)
			select {
			case r := <-got:
				if r == nil || r.Error != tc.want {
					t.Fatalf("the status held by the stopped manager = %+v, want %s", r, tc.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the status held by the stopped manager had no answer")
			}
		})
	}
}
