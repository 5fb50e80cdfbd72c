package control

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestRestartAnswersCurrent: a request whose handling fails (here the
// log of it panics) is answered INTERNAL as the IPC actor restarts: the
// restart drops the message, and its caller, with --wait -1, waited for
// ever. The restarted actor serves the next request.
func TestRestartAnswersCurrent(t *testing.T) {
	system := quietSystem(t)
	var armed atomic.Bool
	armed.Store(true)
	core, _ := observer.New(zap.InfoLevel)
	log := zap.New(core, zap.Hooks(func(zapcore.Entry) error {
		if armed.CompareAndSwap(true, false) {
			panic("injected failure while logging the request")
		}
		return nil
	}))
	pid := system.Root.Spawn(Props(namingPart(system, "manager"), nil, log, -1))
	ask := func() (*messages.Result, <-chan *messages.Result) {
		t.Helper()
		reply := make(chan *messages.Result, 2) // room for a second answer, which must not come
		Submit(context.Background(), system.Root, pid, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 7,
			Command: ipc.CmdPing, Ifname: "eth0"}, reply)
		select {
		case r := <-reply:
			return r, reply
		case <-time.After(5 * time.Second):
			t.Fatal("no answer within 5 s")
			return nil, nil
		}
	}
	first, firstReply := ask()
	if first.Code != ipc.ErrInternal {
		t.Fatalf("the request whose handling failed = %+v, want INTERNAL", first)
	}
	if armed.Load() {
		t.Fatal("the handling did not fail: the test tests nothing")
	}
	if r, _ := ask(); r.Failed() || r.Message != "manager" {
		t.Fatalf("the next request = %+v, want the manager's answer", r)
	}
	// The actor has handled the first request and its restart by now.
	select {
	case again := <-firstReply:
		t.Fatalf("a second answer to the failed request: %+v", again)
	default:
	}
}
