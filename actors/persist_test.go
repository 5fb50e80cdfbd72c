package actors

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// expectReboot asserts an INIT-REBOOT REQUEST for the leased address.
func expectReboot(t *testing.T, s sent) {
	t.Helper()
	expectType(t, s, dhcpv4.MessageTypeRequest)
	if !s.msg.RequestedIPAddress().Equal(leased.AsSlice()) || s.msg.Options.Has(dhcpv4.OptionServerIdentifier) ||
		!s.msg.ClientIPAddr.IsUnspecified() {
		t.Fatalf("%v, want an INIT-REBOOT REQUEST for %v", s.msg.Summary(), leased)
	}
}

func TestLeaseRecordFollowsEvents(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	rec, err := w.store.LoadLease("eth0")
	if err != nil || rec == nil || rec.Address != "198.18.0.100/24" {
		t.Fatalf("record after BOUND: %+v, %v", rec, err)
	}
	if m, _ := w.store.Managed(); !slices.Equal(m, []string{"eth0"}) {
		t.Fatalf("managed %v after start", m)
	}
	w.do(ipc.CmdDrop, "eth0")
	if rec, _ := w.store.LoadLease("eth0"); rec == nil {
		t.Fatal("DROP forgot the lease")
	}
	if m, _ := w.store.Managed(); len(m) != 0 {
		t.Fatalf("managed %v after drop", m)
	}
	ch := w.ask(0, ipc.CmdStart, "eth0")
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	w.await(ch)
	w.do(ipc.CmdRelease, "eth0")
	if rec, _ := w.store.LoadLease("eth0"); rec != nil {
		t.Fatal("RELEASE kept the lease")
	}
}

// TestRestartedAgentAdoptsLease: a new agent over the same store and
// kernel (kill -9) resumes the interface without a command, keeps the
// address, and verifies it with INIT-REBOOT.
func TestRestartedAgentAdoptsLease(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.kill() // nothing is dropped

	w2 := newWorldWith(t, fast, w.store, w.net)
	s := w2.send.next(t)
	expectReboot(t, s)
	if _, removed := w2.net.Snapshot(); len(removed) != 0 {
		t.Fatalf("the restarted agent removed %v", removed)
	}
	st := w2.do(ipc.CmdStatus, "eth0").Status
	if st.State != "INIT_REBOOT" || st.Address != "198.18.0.100" {
		t.Fatalf("status while verifying: %+v", st)
	}
	w2.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "BOUND again", func() bool { return w2.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
}

func TestCorruptRecordAcquiresAfresh(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.kill()
	path := filepath.Join(w.store.Dir(), "leases", "eth0.json")
	if err := os.WriteFile(path, []byte(`{"ifname": "eth0", "ack": "tr`), 0o600); err != nil {
		t.Fatal(err)
	}
	w2 := newWorldWith(t, fast, w.store, newKernel())
	expectType(t, w2.send.next(t), dhcpv4.MessageTypeDiscover)
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("corrupt record not set aside: %v", matches)
	}
}

func TestPanicRestartsOnlyThatActor(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.bind("eth1", 120)
	before := w.do(ipc.CmdStatus, "eth1").Status
	w.do(ipc.CmdPanic, "eth0")
	// The new incarnation adopts the address and verifies it.
	s := w.send.next(t)
	expectReboot(t, s)
	if _, removed := w.net.Snapshot(); len(removed) != 0 {
		t.Fatalf("restart removed %v", removed)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	after := w.do(ipc.CmdStatus, "eth1").Status
	if after.State != "BOUND" || after.Sent != before.Sent || after.Received != before.Received {
		t.Fatalf("eth1 changed: %+v -> %+v", before, after)
	}
	// A timer of the dead incarnation never fires into the new one: the
	// old retransmission and renewal instants pass without a message.
	w.clock.Advance(30 * time.Second)
	w.send.none(t)
}

func TestTooManyFailuresMarkFailed(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	for i := 0; i <= maxRestarts; i++ {
		w.do(ipc.CmdPanic, "eth0")
		if i < maxRestarts {
			expectReboot(t, w.send.next(t))
		}
	}
	waitFor(t, "FAILEDIF", func() bool { return w.do(ipc.CmdPing, "eth0").Error == ipc.ErrFailedIf })
	if st := w.do(ipc.CmdStatus, "eth0").Status; st.State != "FAILED" {
		t.Fatalf("status %+v, want FAILED", st)
	}
	if r := w.do(ipc.CmdStatus, ""); len(r.Statuses) != 1 || r.Statuses[0].State != "FAILED" {
		t.Fatalf("status of all %+v", r.Statuses)
	}
}

func TestHookRunsBeforeReply(t *testing.T) {
	w := newWorld(t, fast+"# hooks\n")
	ch := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	run := w.hooks.next(t)
	if run.ifname != "eth0" || run.event != "BOUND" || !slices.Contains(run.env, "DHCP_ADDRESS=198.18.0.100") ||
		!slices.Contains(run.env, "DHCP_ROUTERS=198.18.0.1") || !slices.Contains(run.env, "DHCP_LEASE_TIME=120") {
		t.Fatalf("hook %s %s env %v", run.ifname, run.event, run.env)
	}
	stillWaiting(t, ch) // the reply waits for the hook
	run.done(nil)
	if r := w.await(ch); r.Error != "" {
		t.Fatalf("start = %+v", r)
	}
	// Release: the hook sees the released lease, and the reply follows it.
	rel := w.ask(0, ipc.CmdRelease, "eth0")
	run = w.hooks.next(t)
	if run.event != "RELEASE" || !slices.Contains(run.env, "DHCP_ADDRESS=198.18.0.100") {
		t.Fatalf("release hook %s env %v", run.event, run.env)
	}
	stillWaiting(t, rel)
	run.done(errTest)
	if r := w.await(rel); r.Error != "" {
		t.Fatalf("release after a failing hook = %+v", r)
	}
}

var errTest = os.ErrDeadlineExceeded

func TestShutdownDropsAndKeepsManaged(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.bind("eth1", 120)
	w.shutdown(w.mgr, false)
	if _, removed := w.net.Snapshot(); len(removed) != 2 {
		t.Fatalf("removed %v, want both leases", removed)
	}
	w.send.none(t) // dropped, not released
	if m, _ := w.store.Managed(); !slices.Equal(m, []string{"eth0", "eth1"}) {
		t.Fatalf("managed %v after shutdown, want both kept", m)
	}
	if rec, _ := w.store.LoadLease("eth0"); rec == nil {
		t.Fatal("shutdown forgot the lease")
	}
}

func TestShutdownReleases(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.shutdown(w.mgr, true)
	expectType(t, w.send.next(t), dhcpv4.MessageTypeRelease)
}

func TestCarrierLossAndReturn(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0"})
	w.do(ipc.CmdStatus, "eth0")       // a barrier: the actor has seen the carrier loss
	w.clock.Advance(62 * time.Second) // T1 passes without carrier: nothing sent
	w.send.none(t)
	if st := w.do(ipc.CmdStatus, "eth0").Status; st.Address == "" {
		t.Fatalf("lease lost with the carrier: %+v", st)
	}
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true})
	expectReboot(t, w.send.next(t))
	if _, removed := w.net.Snapshot(); len(removed) != 0 {
		t.Fatalf("carrier return removed %v", removed)
	}
}

func TestLinkDeletedKeepsRecord(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "UNKIF", func() bool { return w.do(ipc.CmdStatus, "eth0").Error == ipc.ErrUnkIf })
	if rec, _ := w.store.LoadLease("eth0"); rec == nil {
		t.Fatal("the record went with the link")
	}
}

func TestClockJumpVerifies(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.system.Root.Send(w.mgr, &messages.ClockJump{})
	expectReboot(t, w.send.next(t))
}

func TestDebugPanicNeedsTestHooks(t *testing.T) {
	w := newWorld(t, fast)
	w.env.TestHooks = false
	w.bind("eth0", 120)
	if r := w.do(ipc.CmdPanic, "eth0"); r.Error != ipc.ErrInvalid || !strings.Contains(r.Message, "unknown command") {
		t.Fatalf("debug-panic without test hooks = %+v", r)
	}
}

// TestIAIDRecordedWhenManaged: the IAID in the client id (RFC 4361 §6) is
// recorded when the interface is first managed and kept even if the MAC
// changes later; an interface never managed writes nothing.
func TestIAIDRecordedWhenManaged(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.bind("eth0", 600); r.Error != "" {
		t.Fatalf("start = %+v", r)
	}
	rec, err := w.store.Interface("eth0")
	if err != nil || rec.IAID == nil || *rec.IAID != lease.IAID(hw0) || !rec.Managed {
		t.Fatalf("eth0 record %+v, %v; want managed with IAID %d", rec, err, lease.IAID(hw0))
	}
	newMAC := Link{Name: "eth0", HWAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}}
	if got := StoredIAID(w.store)(newMAC); got != lease.IAID(hw0) {
		t.Errorf("IAID after a MAC change = %d, want the recorded %d", got, lease.IAID(hw0))
	}
	if rec, _ := w.store.Interface("eth1"); rec.IAID != nil || rec.Managed {
		t.Errorf("eth1, never managed, has a record %+v", rec)
	}
}

// An interface's first read of its lease record is not done in its
// actor's Receive: the recorder reads it on its own goroutine while the
// start waits, and the start then goes on as before.
func TestFirstRecordReadOffReceive(t *testing.T) {
	w := newWorld(t, fast)
	asked, release := w.disk.hold("read eth0")
	defer release()
	start := w.ask(0, ipc.CmdStart, "eth0")
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("the lease record was never read")
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var reader string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "heldStore).LoadLease") {
			reader = g
		}
	}
	if reader == "" {
		t.Fatalf("no goroutine in the held read:\n%s", buf)
	}
	if strings.Contains(reader, "(*iface).Receive") {
		t.Fatalf("the lease record is read in the actor's Receive:\n%s", reader)
	}
	stillWaiting(t, start)
	release()
	if r := w.grant(start, 120); r.Error != "" {
		t.Fatalf("start = %+v", r)
	}
}
