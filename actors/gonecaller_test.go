package actors

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport/transporttest"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// armedSend makes the fake sender's first DHCP send after arm wait,
// inside the interface actor's Receive, until release, so that the test
// can queue messages behind the one being handled; asked is closed once
// it waits. It must be called before any actor sends.
func (w *world) armedSend() (arm func(), asked <-chan struct{}, release func()) {
	in, out := make(chan struct{}), make(chan struct{})
	var armed atomic.Bool
	var once sync.Once
	send := w.send.Sender
	w.send.Sender = func(p transporttest.Packet) error {
		if p.ARP == nil && armed.Load() {
			once.Do(func() {
				close(in)
				<-out
			})
		}
		return send(p)
	}
	rel := sync.OnceFunc(func() { close(out) })
	w.t.Cleanup(rel)
	return func() { armed.Store(true) }, in, rel
}

// A command whose caller has gone no longer makes a later privileged
// command PEND (SPEC §3), even when the report of its caller's going
// (messages.Pending.Gone, posted from the context's goroutine) is still
// behind that command: a caller of release that comes right after the
// extend's caller went, on another connection, got PEND when its release
// overtook the report.
func TestGoneCallerWithdrawnBeforeLaterCommand(t *testing.T) {
	w := newWorld(t, fast)
	arm, asked, release := w.armedSend()
	w.bind("eth0", 120)
	ctx, gone := context.WithCancel(context.Background())
	defer gone()
	ext := make(chan *messages.Result, 2)
	control.Submit(ctx, w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 1,
		Command: ipc.CmdExtend, Ifname: "eth0"}, ext)
	expectType(t, w.send.next(t), dhcpv4.MessageTypeRequest) // nobody answers it
	arm()
	w.clock.Advance(time.Minute) // its retransmission: the actor is in Receive
	<-asked
	rel := w.counted(ipc.CmdRelease, "eth0")
	w.do(ipc.CmdPing, "eth1") // the manager has passed the release on
	gone()                    // its report comes after the release
	release()
	if r := w.one(rel); r.Failed() {
		t.Fatalf("release after the extend's caller went = %s %s, want OK", r.Code, r.Message)
	}
	select {
	case r := <-ext:
		t.Fatalf("the withdrawn extend was answered %+v", r)
	default:
	}
}
