package actors

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// noHookRun asserts that no hook has been started.
func noHookRun(t *testing.T, h *fakeHooks) {
	t.Helper()
	select {
	case r := <-h.runs:
		t.Fatalf("hook %s ran", r.event)
	default:
	}
}

// TestNakStormHooksCoalesced: a server that NAKs every REQUEST while the
// first NAK's hook runs queues one more hook, not one per NAK; drop then
// waits only for the running hook and its own, not behind the queue.
func TestNakStormHooksCoalesced(t *testing.T) {
	w := newWorld(t, fast+"# hooks\n")
	start := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	w.hooks.next(t).done(nil)
	if rep := w.await(start); rep.Error != "" {
		t.Fatalf("start = %+v", rep)
	}

	extend := w.ask(0, ipc.CmdExtend, "eth0")
	w.serve(w.send.next(t).msg, dhcpv4.MessageTypeNak, 0)
	first := w.hooks.next(t) // held for the whole storm
	if first.event != "NAK" {
		t.Fatalf("hook %s, want NAK", first.event)
	}
	const naks = 20
	for i := 1; i < naks; i++ {
		d := w.send.next(t)
		expectType(t, d, dhcpv4.MessageTypeDiscover)
		w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
		r := w.send.next(t)
		expectType(t, r, dhcpv4.MessageTypeRequest)
		w.serve(r.msg, dhcpv4.MessageTypeNak, 0)
		w.do(ipc.CmdStatus, "eth0") // the NAK is handled and its backoff armed
		w.clock.Advance(64 * time.Second)
	}
	noHookRun(t, w.hooks)
	if st := w.do(ipc.CmdStatus, "eth0").Status; st == nil || st.State != "SELECTING" {
		t.Fatalf("status %+v", st)
	}

	drop := w.ask(0, ipc.CmdDrop, "eth0")
	w.do(ipc.CmdPing, "eth0") // the drop is handled
	stillWaiting(t, drop)
	first.done(nil)
	if r := w.await(extend); r.Error != ipc.ErrOutState {
		t.Fatalf("extend = %+v, want OUTSTATE after the NAK's hook", r)
	}
	run := w.hooks.next(t)
	if run.event != "DROP" {
		t.Fatalf("after the storm the hook ran for %s, want DROP (the waiting ones superseded)", run.event)
	}
	stillWaiting(t, drop)
	run.done(nil)
	if r := w.await(drop); r.Error != "" {
		t.Fatalf("drop = %+v", r)
	}
	noHookRun(t, w.hooks)
}

// gatedHooks starts nothing until its gate opens, as a fork and exec that
// takes its time.
type gatedHooks struct {
	*fakeHooks
	gate chan struct{}
}

func (h gatedHooks) Start(ifname, event string, env []string, done func(error)) error {
	<-h.gate
	return h.fakeHooks.Start(ifname, event, env, done)
}

// TestHookStartOutsideReceive: while the hook is being started the
// interface actor still answers: the fork and exec happen on a goroutine.
func TestHookStartOutsideReceive(t *testing.T) {
	w := newWorld(t, fast)
	gate := make(chan struct{})
	w.env.Hooks = gatedHooks{w.hooks, gate}
	start := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if st := w.do(ipc.CmdStatus, "eth0").Status; st == nil || st.State != "BOUND" {
		t.Fatalf("status while the hook starts: %+v", st)
	}
	stillWaiting(t, start)
	close(gate)
	w.hooks.next(t).done(nil)
	if rep := w.await(start); rep.Error != "" {
		t.Fatalf("start = %+v", rep)
	}
}
