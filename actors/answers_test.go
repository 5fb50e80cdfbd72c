package actors

import (
	"context"
	"testing"

	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// A start waiting to bind when its actor restarts is carried over: the
// restarted incarnation resumes the interface and answers it once bound.
func TestRestartRetriesWaitingStart(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.ask(0, ipc.CmdStart, "eth0")
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	w.do(ipc.CmdPanic, "eth0")
	d := w.send.next(t) // the restarted incarnation acquires again
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	stillWaiting(t, ch)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch); rep.Error != "" || rep.Status == nil || rep.Status.State != "BOUND" {
		t.Fatalf("start across a restart = %+v, want OK BOUND", rep)
	}
}

// The start carried over a restart is retried as it was asked: with its
// host name (start -h, create-addr -h), not the configuration's.
func TestRestartRetriesStartAsAsked(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0",
		Args: map[string]string{ipc.ArgHostname: "node9"}})
	if d := w.send.next(t); d.msg.HostName() != "node9" {
		t.Fatalf("DISCOVER host name %q, want node9", d.msg.HostName())
	}
	w.do(ipc.CmdPanic, "eth0")
	d := w.send.next(t)
	if d.msg.HostName() != "node9" {
		t.Errorf("DISCOVER after the restart: host name %q, want node9", d.msg.HostName())
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch); rep.Error != "" {
		t.Fatalf("start across a restart = %+v", rep)
	}
}

// An extend waiting for its ACK when its actor restarts is answered FAILEDIF.
func TestRestartFailsWaitingExtend(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	ch := w.ask(0, ipc.CmdExtend, "eth0")
	expectType(t, w.send.next(t), dhcpv4.MessageTypeRequest)
	w.do(ipc.CmdPanic, "eth0")
	if rep := w.await(ch); rep.Error != ipc.ErrFailedIf {
		t.Fatalf("extend across a restart = %+v, want FAILEDIF", rep)
	}
}

// A command whose handling panics is answered FAILEDIF, and the interface
// carries on.
func TestFailingCommandAnswered(t *testing.T) {
	reply := make(chan *messages.Result, 1)
	c := &messages.Command{Ifname: "eth0", Req: messages.Start{}, Reply: reply}
	a := &iface{inc: &incarnations{current: c}, link: Link{Name: "eth0"}}
	a.restarting()
	if r := <-reply; r.Code != ipc.ErrFailedIf {
		t.Fatalf("failing command = %+v, want FAILEDIF", r)
	}
}

// A link deleted under a waiting start answers it UNKIF.
func TestLinkGoneAnswersWaiting(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.ask(0, ipc.CmdStart, "eth0")
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	if rep := w.await(ch); rep.Error != ipc.ErrUnkIf {
		t.Fatalf("start on a deleted link = %+v, want UNKIF", rep)
	}
}

// Once the agent is stopping, commands are answered SHUTDOWN at once and
// configure nothing (SPEC §3).
func TestCommandsAfterShutdown(t *testing.T) {
	w := newWorld(t, fast)
	w.shutdown(w.admin, false)
	w.shutdown(w.mgr, false)
	if rep := w.do(ipc.CmdStart, "eth0"); rep.Error != ipc.ErrShutdown {
		t.Fatalf("start after shutdown = %+v, want SHUTDOWN", rep)
	}
	if rep := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/d", ipc.ArgType, "dhcp"); rep.Error != ipc.ErrShutdown {
		t.Fatalf("create-addr after shutdown = %+v, want SHUTDOWN", rep)
	}
	w.send.none(t)
	if applied, _ := w.net.Snapshot(); len(applied) != 0 {
		t.Fatalf("applied %v after shutdown", applied)
	}
}

// start --primary of a link that does not exist leaves the primary where
// it was.
func TestStartNoSuchPrimary(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}})
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	w.await(ch)
	rep := w.await(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "nosuch", Args: map[string]string{ipc.ArgPrimary: "yes"}}))
	if rep.Error != ipc.ErrInvalid {
		t.Fatalf("start nosuch --primary = %+v, want INVALID", rep)
	}
	if rep := w.do(ipc.CmdPing, ""); rep.Error != "" {
		t.Fatalf("ping of the primary = %+v, want OK", rep)
	}
	if st := w.do(ipc.CmdStatus, "eth0").Status; st == nil || !contains(st.Flags, "PRIMARY") {
		t.Fatalf("eth0 status %+v, want PRIMARY", st)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A caller that gives up on extend (server gone) withdraws it: release
// then goes ahead instead of answering PEND until the lease changes.
func TestGoneCallerDoesNotBlockRelease(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	ctx, gone := context.WithCancel(context.Background())
	ch := make(chan *messages.Result, 1)
	control.Submit(ctx, w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 1,
		Command: ipc.CmdExtend, Ifname: "eth0"}, ch)
	expectType(t, w.send.next(t), dhcpv4.MessageTypeRequest) // nobody answers it
	if r := w.do(ipc.CmdRelease, "eth0"); r.Error != ipc.ErrPend {
		t.Fatalf("release during the extend = %+v, want PEND", r)
	}
	gone()
	waitFor(t, "the extend withdrawn", func() bool { return !contains(w.do(ipc.CmdStatus, "eth0").Status.Flags, "BUSY") })
	if r := w.do(ipc.CmdRelease, "eth0"); r.Error != "" {
		t.Fatalf("release after the extend's caller went = %+v, want OK", r)
	}
	stillWaiting(t, ch) // a withdrawn command is not answered
}
