package actors

import (
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/hostplan"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestPend(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	extend := w.ask(0, ipc.CmdExtend, "eth0")
	s := w.send.next(t)
	for _, cmd := range []string{ipc.CmdExtend, ipc.CmdRelease} {
		if r := w.do(cmd, "eth0"); r.Error != ipc.ErrPend {
			t.Errorf("%s during an extend = %+v, want PEND", cmd, r)
		}
	}
	// Queries are never held up.
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != "" || !cmp.Equal(r.Status.Flags, []string{"BUSY"}) {
		t.Errorf("status during an extend = %+v, want flags [BUSY]", r)
	}
	if r := w.do(ipc.CmdPing, "eth0"); r.Error != "" {
		t.Errorf("ping = %+v", r)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	if r := w.await(extend); r.Error != "" {
		t.Fatalf("extend = %+v", r)
	}
	if r := w.do(ipc.CmdRelease, "eth0"); r.Error != "" {
		t.Fatalf("release after the extend = %+v", r)
	}
}

func TestInfo(t *testing.T) {
	w := newWorld(t, fast)
	info := func(opt string) *ipc.Reply {
		return w.await(w.askReq(&ipc.Request{Command: ipc.CmdInfo, Ifname: "eth0", Args: map[string]string{ipc.ArgOption: opt}}))
	}
	w.ask(0, ipc.CmdStart, "eth0")
	w.send.next(t)
	if r := info("router"); r.Error != ipc.ErrOutState {
		t.Fatalf("info while selecting = %+v, want OUTSTATE", r)
	}
	w.do(ipc.CmdDrop, "eth0")
	w.bind("eth0", 120)
	if r := info("router"); r.Error != "" || !cmp.Equal(r.Values, []string{"198.18.0.1"}) || r.Raw != "c6120001" {
		t.Fatalf("info router = %+v", r)
	}
	// illumos GET_TAG: an absent option is OK with no value.
	if r := info("ntp"); r.Error != "" || len(r.Values) != 0 || r.Raw != "" {
		t.Fatalf("info of an absent option = %+v, want OK with no value", r)
	}
	// Offsets past the end, however large, are a bad argument, never a panic.
	for _, opt := range []string{"field:9223372036854775807:1", "field:1:9223372036854775807"} {
		if r := info(opt); r.Error != ipc.ErrInvalid {
			t.Fatalf("info %s = %+v, want INVALID", opt, r)
		}
	}
	if r := info("no-such-name"); r.Error != ipc.ErrInvalid {
		t.Fatalf("info of a bad name = %+v, want INVALID", r)
	}
}

func TestPrimary(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrNoPrimary {
		t.Fatalf("ping of no primary = %+v", r)
	}
	ch := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}})
	w.send.next(t)
	if r := w.do(ipc.CmdStatus, ""); len(r.Statuses) != 1 {
		t.Fatalf("status of all = %+v", r)
	}
	// "" now means eth0.
	if r := w.await(w.askReq(&ipc.Request{Command: ipc.CmdPing})); r.Error != "" {
		t.Fatalf("ping of the primary = %+v", r)
	}
	r := w.await(w.askReq(&ipc.Request{Command: ipc.CmdDrop}))
	if r.Error != "" || r.Status.Ifname != "eth0" || !cmp.Equal(r.Status.Flags, []string{"PRIMARY"}) {
		t.Fatalf("drop of the primary = %+v", r)
	}
	w.await(ch)
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrNoPrimary {
		t.Fatalf("ping after the primary was dropped = %+v", r)
	}
}

// A start --primary of a running interface is answered RUNNING and still
// makes it the primary (lease.Primary): the operator's choice holds
// without a new transaction, the bound interface's routes take the
// primary's metric without losing its lease, and the old primary's leave
// it. The flag, the host record and the commands without IF follow.
func TestStartPrimaryOfRunningInterface(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	w.bind("eth1", 120)
	primaryIs := func(want, other string, metric int) {
		t.Helper()
		if st := w.do(ipc.CmdStatus, want).Status; st == nil || !contains(st.Flags, "PRIMARY") {
			t.Errorf("%s status %+v, want PRIMARY", want, st)
		}
		if st := w.do(ipc.CmdStatus, other).Status; st == nil || contains(st.Flags, "PRIMARY") {
			t.Errorf("%s status %+v, want not PRIMARY", other, st)
		}
		// A command without IF goes to the primary: start, refused
		// there, names it.
		if r := w.do(ipc.CmdStart, ""); r.Error != ipc.ErrRunning || !strings.HasPrefix(r.Message, want+":") {
			t.Errorf("start without IF = %+v, want RUNNING from %s", r, want)
		}
		if r := w.do(ipc.CmdPing, ""); r.Error != "" {
			t.Errorf("ping without IF = %+v, want OK", r)
		}
		if h, err := w.store.LoadHost(); err != nil || h.Primary != want {
			t.Errorf("host record %+v %v, want primary %s", h, err, want)
		}
		if c, _ := w.net.LastApplied(3); c.Metric != metric {
			t.Errorf("eth1 metric %d, want %d", c.Metric, metric)
		}
	}
	w.drainRecords()
	primaryIs("eth0", "eth1", 1003)
	if t.Failed() {
		return
	}
	r := w.await(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth1", Args: map[string]string{ipc.ArgPrimary: "yes"}}))
	if r.Error != ipc.ErrRunning {
		t.Fatalf("start --primary of the bound eth1 = %+v, want RUNNING", r)
	}
	waitFor(t, "eth1 primary in the manager", func() bool {
		return w.do(ipc.CmdPing, "").Error == "" &&
			strings.HasPrefix(w.do(ipc.CmdStart, "").Message, "eth1:")
	})
	w.drainRecords()
	primaryIs("eth1", "eth0", hostplan.PrimaryMetric)
	if st := w.do(ipc.CmdStatus, "eth1").Status; st == nil || st.State != "BOUND" {
		t.Errorf("eth1 after start --primary: %+v, want its lease kept (BOUND)", st)
	}
}

func TestEventsPublished(t *testing.T) {
	w := newWorld(t, fast)
	events, stop := w.events.Subscribe()
	defer stop()
	w.bind("eth0", 120)
	w.do(ipc.CmdDrop, "eth0")
	var got []string
	for len(got) < 6 {
		ev := <-events
		got = append(got, ev.Ifname+" "+ev.Kind+" "+ev.From+ev.Event+">"+ev.State)
	}
	want := []string{
		"eth0 state INIT>SELECTING",
		"eth0 state SELECTING>REQUESTING",
		"eth0 state REQUESTING>BOUND",
		"eth0 event BOUND>BOUND",
		"eth0 state BOUND>INIT",
		"eth0 event DROP>INIT",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
}

func TestAdminGroupIsPrivileged(t *testing.T) {
	w := newWorld(t, fast)
	member := func(req *ipc.Request, c ipc.Caller) *ipc.Reply { return w.await(w.wire(nil, c, req)) }
	// The world's admin group is 4242: as a supplementary group it counts.
	if r := member(&ipc.Request{Command: ipc.CmdDrop, Ifname: "eth0"}, ipc.Caller{UID: 1000, GID: 100, Groups: []uint32{4242}}); r.Error != ipc.ErrUnkIf {
		t.Fatalf("admin-group drop = %+v, want UNKIF (allowed, nothing to drop)", r)
	}
	if r := member(&ipc.Request{Command: ipc.CmdDrop, Ifname: "eth0"}, ipc.Caller{UID: 1000, GID: 100, Groups: []uint32{7}}); r.Error != ipc.ErrPerm {
		t.Fatalf("non-member drop = %+v, want PERM", r)
	}
}

func TestSelectWaitIsInitWithStartPending(t *testing.T) {
	w := newWorld(t, "SELECT_WAIT=30\nOFFER_WAIT=0\nARP_PROBE=no\n")
	start := w.ask(0, ipc.CmdStart, "eth0")
	waitFor(t, "the start pending", func() bool {
		st := w.do(ipc.CmdStatus, "eth0").Status
		return st != nil && st.State == "INIT" && cmp.Equal(st.Flags, []string{"BUSY"})
	})
	if r := w.do(ipc.CmdStart, "eth0"); r.Error != ipc.ErrPend {
		t.Errorf("second start = %+v, want PEND", r)
	}
	if r := w.do(ipc.CmdExtend, "eth0"); r.Error != ipc.ErrOutState {
		t.Errorf("extend in INIT = %+v, want OUTSTATE", r)
	}
	w.send.none(t)
	w.clock.Advance(31 * time.Second)
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	stillWaiting(t, start)
}

func TestDebugStats(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.do(ipc.CmdStats, ""); r.Error != "" || r.Message == "" {
		t.Fatalf("debug-stats = %+v", r)
	}
	w.env.TestHooks = false
	if r := w.do(ipc.CmdStats, ""); r.Error != ipc.ErrInvalid {
		t.Fatalf("debug-stats without test hooks = %+v", r)
	}
}

// A start --primary carried over a restart (retried by the next
// incarnation) does not take the primary role again: it took it at its
// first admission, and another interface's admitted start --primary since
// has the last word.
func TestCarriedStartKeepsNewerPrimary(t *testing.T) {
	w := newWorld(t, fast)
	ch0 := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}})
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	// A barrier: eth0's actor answers the status after its admission, so
	// the manager has its word (TookPrimary) before eth1's start.
	w.do(ipc.CmdStatus, "")
	w.startPrimary("eth1")
	w.do(ipc.CmdPanic, "eth0")
	d := w.send.next(t) // the restarted incarnation retries the start
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch0); rep.Error != "" {
		t.Fatalf("start eth0 across a restart = %+v", rep)
	}
	if st := w.do(ipc.CmdStatus, "eth1").Status; st == nil || !contains(st.Flags, "PRIMARY") {
		t.Errorf("eth1 status %+v, want PRIMARY", st)
	}
	if st := w.do(ipc.CmdStatus, "eth0").Status; st == nil || contains(st.Flags, "PRIMARY") {
		t.Errorf("eth0 status %+v, want not PRIMARY", st)
	}
	if r := w.do(ipc.CmdStart, ""); r.Error != ipc.ErrRunning || !strings.HasPrefix(r.Message, "eth1:") {
		t.Errorf("start without IF = %+v, want RUNNING from eth1", r)
	}
}
