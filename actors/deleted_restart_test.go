package actors

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// panickyRouter panics at the first Unbind once armed: a failure inside
// the handling of a link's deletion (its transaction let go, in
// quiesce).
type panickyRouter struct {
	transport.Router
	armed atomic.Bool
}

func (r *panickyRouter) Unbind(xid uint32, hw net.HardwareAddr) {
	if r.armed.CompareAndSwap(true, false) {
		panic("injected failure while letting the transaction go")
	}
	r.Router.Unbind(xid, hw)
}

// TestDeletedLinkSurvivesFailedDeletion: an interface actor that fails
// while it handles its link's deletion is restarted without that message
// (a restart drops what it failed on), yet its link is gone: the
// restarted incarnation ends as the deletion would have ended it. It
// resumed the interface instead and ran on the deleted link for ever,
// sending, unknown to the manager (which had let it go), and the link's
// return resumed nothing, for it waited for that actor to stop.
func TestDeletedLinkSurvivesFailedDeletion(t *testing.T) {
	w := newWorld(t, fast)
	r := &panickyRouter{Router: w.disp}
	w.env.Router = r // before any interface actor reads it
	start := w.ask(0, ipc.CmdStart, "eth0")
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover) // SELECTING: its xid bound
	r.armed.Store(true)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	if rep := w.await(start); rep.Error != ipc.ErrUnkIf {
		t.Fatalf("start whose link was deleted = %+v, want UNKIF", rep)
	}
	if r.armed.Load() {
		t.Fatal("the deletion's handling did not fail: the test tests nothing")
	}
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	waitFor(t, "eth0 resumed", func() bool {
		rep := w.do(ipc.CmdStatus, "eth0")
		return rep.Error == "" && rep.Status != nil
	})
}
