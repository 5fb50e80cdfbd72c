package actors

import (
	"context"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// counted is a command whose answers are counted: its Reply has room for
// two, so that a second answer is seen (one).
type counted struct {
	name string
	ch   chan *messages.Result
}

// counted sends a command with args (name, value, ...) as root, as
// control.Submit does, its caller waiting as long as the world lasts.
func (w *world) counted(command, ifname string, args ...string) counted {
	return w.countedBy(nil, command, ifname, args...)
}

// countedBy is counted for a caller that waits until ctx is done.
func (w *world) countedBy(ctx context.Context, command, ifname string, args ...string) counted {
	req := &ipc.Request{Version: ipc.Version, ID: 1, Command: command, Ifname: ifname, Args: map[string]string{}}
	for i := 0; i+1 < len(args); i += 2 {
		req.Args[args[i]] = args[i+1]
	}
	ch := make(chan *messages.Result, 2)
	control.Submit(ctx, w.system.Root, w.ipc, ipc.Caller{}, req, ch)
	return counted{command + " " + ifname, ch}
}

// one waits for c's answer and checks that no second one is there.
func (w *world) one(c counted) *messages.Result {
	w.t.Helper()
	var r *messages.Result
	select {
	case r = <-c.ch:
	case <-time.After(5 * time.Second):
		w.t.Fatalf("%s: no answer within 5 s", c.name)
	}
	select {
	case r2 := <-c.ch:
		w.t.Fatalf("%s: answered twice: %+v then %+v", c.name, r, r2)
	default:
	}
	return r
}

// A status of all that reaches an interface actor whose failure makes
// the manager stop it (past maxRestarts) shows the interface FAILED, at
// once, as a status asked after it does. Its question went with the
// actor's mailbox, unanswered, and the status was answered INTERNAL
// "interface actors did not answer" statusWait (5 s) later: `agentctl
// status`, STATUS= and the watchdog's query failed with it.
func TestStatusAllOfActorStoppedByFailure(t *testing.T) {
	w := newWorld(t, fast)
	arm, asked, release := w.armedSend()
	arm()
	start := w.counted(ipc.CmdStart, "eth0")
	<-asked // eth0's actor is in Receive, sending its DISCOVER
	var panics []counted
	for range maxRestarts + 1 {
		panics = append(panics, w.counted(ipc.CmdPanic, "eth0"))
	}
	all := w.counted(ipc.CmdStatus, "")
	w.do(ipc.CmdPing, "eth1") // the manager has sent eth0 the panics and the question
	release()
	for _, p := range panics {
		w.one(p)
	}
	if r := w.one(start); r.Code != ipc.ErrFailedIf {
		t.Errorf("start = %s %s, want FAILEDIF", r.Code, r.Message)
	}
	r := w.one(all)
	if r.Failed() || len(r.Statuses) != 1 || r.Statuses[0].Ifname != "eth0" || !r.Statuses[0].Failed {
		t.Fatalf("status of all = %s %s %+v, want eth0 FAILED", r.Code, r.Message, r.Statuses)
	}
}
