package actors

import (
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestPrimaryOfTemporaryNotStored: a start --primary of an interface a
// temporary object started (RUNNING) makes it primary now; its record
// says not managed, so the next agent has no primary rather than one it
// does not manage.
func TestPrimaryOfTemporaryNotStored(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth1/d",
		ipc.ArgType: "dhcp", ipc.ArgTemporary: "yes"}})
	if r := w.grant(ch, 120); r.Error != "" {
		t.Fatalf("create-addr -t -T dhcp = %+v", r)
	}
	r := w.await(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth1", Args: map[string]string{ipc.ArgPrimary: "yes"}}))
	if r.Error != ipc.ErrRunning {
		t.Fatalf("start --primary = %+v", r)
	}
	w.drainRecords()
	if r := w.do(ipc.CmdStart, ""); !strings.HasPrefix(r.Message, "eth1:") {
		t.Fatalf("start without IF = %+v, want eth1's", r)
	}
	w.kill()
	w = newWorldWith(t, fast, w.store, w.net)
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrNoPrimary {
		t.Fatalf("ping without IF after a restart = %+v, want NOPRIMARY", r)
	}
}

// TestTemporaryPrimaryOverStoredThenDropped: eth0 primary; a temporary
// eth1 made primary (create-addr -t -T dhcp --primary), then dropped: no
// primary now, and none after a restart either. The host record kept
// eth0, which the next agent made primary again.
func TestTemporaryPrimaryOverStoredThenDropped(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth1/d",
		ipc.ArgType: "dhcp", ipc.ArgTemporary: "yes", ipc.ArgPrimary: "yes"}})
	if r := w.grant(ch, 120); r.Error != "" {
		t.Fatalf("create-addr -t -T dhcp --primary = %+v", r)
	}
	if r := w.do(ipc.CmdDrop, "eth1"); r.Error != "" {
		t.Fatalf("drop eth1 = %+v", r)
	}
	w.drainRecords()
	got := w.do(ipc.CmdPing, "").Error
	w.kill()
	w = newWorldWith(t, fast, w.store, w.net)
	if after := w.do(ipc.CmdPing, "").Error; after != got {
		t.Fatalf("ping without IF: %q before a restart, %q after", got, after)
	}
}

// primaryEverywhere asserts that want ("" for none) is the primary interface in
// the manager (commands without IF), in the host record and, after an
// agent restart from the store, in the next agent's manager; it returns
// the restarted world.
func (w *world) primaryEverywhere(want string) *world {
	w.t.Helper()
	t := w.t
	w.drainRecords()
	check := func(w *world, when string) {
		t.Helper()
		r := w.do(ipc.CmdStart, "")
		switch {
		case want == "" && r.Error != ipc.ErrNoPrimary:
			t.Errorf("%s: start without IF = %+v, want NOPRIMARY", when, r)
		case want != "" && !strings.HasPrefix(r.Message, want+":"):
			t.Errorf("%s: start without IF = %+v, want %s's answer", when, r, want)
		}
	}
	check(w, "before the restart")
	if h, err := w.store.LoadHost(); err != nil || h.Primary != want {
		t.Errorf("host record %+v %v, want primary %q", h, err, want)
	}
	w.kill()
	w = newWorldWith(t, fast, w.store, w.net)
	check(w, "after the restart")
	return w
}

// TestPrimaryRecordInManagersOrder: two start --primary on two
// interfaces, the first one's record written late (a slow disk, each
// interface's records on a queue of its own): the host record names the
// one the manager made primary last, and so does the next agent. It
// named eth0, the next agent's primary, while eth1 was primary.
func TestPrimaryRecordInManagersOrder(t *testing.T) {
	w := newWorld(t, fast)
	asked, release := w.disk.hold("eth0")
	defer release()
	w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}})
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	<-asked                 // eth0's record, naming it primary, is being written
	w.do(ipc.CmdStatus, "") // eth0's TookPrimary is in
	w.startPrimary("eth1")
	release()
	w.primaryEverywhere("eth1")
}

// TestStalePrimaryWordNotStored: a start --primary whose link is deleted
// before the manager hears the actor took the role (its word then stale,
// roster.TookPrimary) moves the primary nowhere, in the host record
// neither: it named eth0, the next agent's primary, while eth1 was.
func TestStalePrimaryWordNotStored(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.startPrimary("eth1")
	// In order in the manager's mailbox: the start reaches eth0's actor,
	// then the link's deletion, then the actor's word.
	started := w.direct("eth0", messages.Start{Primary: true})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	w.result(started)
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	w = w.primaryEverywhere("eth1")
	if st := w.do(ipc.CmdStatus, "eth0").Status; st == nil || contains(st.Flags, "PRIMARY") {
		t.Errorf("eth0 status after the restart %+v, want not PRIMARY", st)
	}
}

// TestPrimaryOffPastFullGate: an actor told it is no longer primary while
// its restarted incarnation holds maxHeld messages for its lease record
// hears it all the same (the word needs no record): the gate dropped it,
// as it drops a carrier change, and eth0 kept PRIMARY and the primary's
// metric next to eth1, primary too.
func TestPrimaryOffPastFullGate(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	w.bind("eth1", 120)
	w.disk.failLeases(errTest) // the record unknown: the restart reads it
	ext := w.ask(0, ipc.CmdExtend, "eth0")
	w.serve(w.send.next(t).msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ext); rep.Error != "" {
		t.Fatalf("extend = %+v", rep)
	}
	w.disk.failLeases(nil)
	release := w.holding("read eth0", func() { w.do(ipc.CmdPanic, "eth0") })
	pings := make([]<-chan *messages.Result, maxHeld)
	for i := range pings {
		pings[i] = w.direct("eth0", messages.Ping{})
	}
	if r := w.await(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth1", Args: map[string]string{ipc.ArgPrimary: "yes"}})); r.Error != ipc.ErrRunning {
		t.Fatalf("start --primary eth1 = %+v, want RUNNING", r)
	}
	w.do(ipc.CmdPing, "") // the manager has told eth0
	release()
	for _, ch := range pings {
		w.result(ch)
	}
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	w.flagsAndRoutes("eth1")
}
