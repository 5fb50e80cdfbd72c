package actors

import (
	"net/netip"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestMissingDropBehindQueuedStart: a start routed to the interface's
// actor just before its link is deleted, then the drop of the missing
// interface, leave it not managed: the drop is answered OK, and the
// record says so. eth0's actor (idle after an INFORM, so that the start
// records it managed) is held (a status nobody takes yet) with the start
// queued behind; the manager then sees the deletion and the drop. The
// drop's write came before the start's Manage, which the still stopping
// actor asked for after it: the record said managed, and the next agent
// resumed an interface whose drop was answered OK.
func TestMissingDropBehindQueuedStart(t *testing.T) {
	w := newWorld(t, fast)
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 2, Prefix: netip.MustParsePrefix("198.18.0.50/24")})
	ch := w.ask(0, ipc.CmdInform, "eth0")
	s := w.send.next(t)
	expectType(t, s, dhcpv4.MessageTypeInform)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 0, dhcpv4.WithYourIP(nil), dhcpv4.WithoutOption(dhcpv4.OptionIPAddressLeaseTime))
	if r := w.await(ch); r.Error != "" {
		t.Fatalf("inform = %+v", r)
	}
	held := make(chan messages.IfStatus)
	w.system.Root.Send(w.ifacePID("eth0"), &messages.StatusQuery{Reply: held})
	started := w.direct("eth0", messages.Start{})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	dropped := w.direct("eth0", messages.Drop{})
	// The drop waits for its write, not for eth0's actor: answer it
	// first if it is answered at once; else after the actor goes on.
	var drop *messages.Result
	select {
	case drop = <-dropped:
	case <-held:
		held = nil
	}
	if held != nil {
		<-held
	}
	if drop == nil {
		drop = w.result(dropped)
	}
	if drop.Code != "" {
		t.Fatalf("drop of the missing eth0 = %+v, want OK", drop)
	}
	w.result(started)
	w.drainRecords()
	if rec, err := w.store.Interface("eth0"); err != nil || rec.Managed {
		t.Fatalf("record after the drop answered OK: %+v %v, want not managed", rec, err)
	}
}

// dropAheadOfLinkReturn binds eth0, holds its actor (a status nobody
// takes yet, released by receiving from held) with a drop queued behind,
// and has the manager see eth0's link deleted and back meanwhile.
func (w *world) dropAheadOfLinkReturn() (held <-chan messages.IfStatus, dropped <-chan *messages.Result) {
	w.bind("eth0", 120)
	h := make(chan messages.IfStatus)
	w.system.Root.Send(w.ifacePID("eth0"), &messages.StatusQuery{Reply: h})
	dropped = w.direct("eth0", messages.Drop{})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	return h, dropped
}

// TestStartAfterDropAheadOfLinkReturn: a drop routed to eth0's actor just
// before its link is deleted and comes back, then a start, leave eth0
// managed by the start's actor, and its record saying so. The start made
// its actor while the old one, held with the drop queued, still stopped:
// the drop's write came after the start's, and eth0 ran while its record
// said not managed (the next agent would not resume it).
func TestStartAfterDropAheadOfLinkReturn(t *testing.T) {
	w := newWorld(t, fast)
	held, dropped := w.dropAheadOfLinkReturn()
	w.direct("eth0", messages.Start{})
	// The start's actor, if the start made one before the old actor
	// went on, has handled it, and its writes are done, once a ping
	// behind it is answered (UNKIF while it waits).
	w.result(w.direct("eth0", messages.Ping{}))
	<-held // the old actor goes on: the drop
	if r := w.result(dropped); r.Code != "" {
		t.Fatalf("drop = %+v", r)
	}
	waitFor(t, "eth0 started", func() bool { return w.do(ipc.CmdStatus, "eth0").Error == "" })
	w.drainRecords()
	if rec, err := w.store.Interface("eth0"); err != nil || !rec.Managed {
		t.Fatalf("eth0 runs while its record says not managed: %+v %v", rec, err)
	}
}
