package actors

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// TestRecorder: writes run in order off the caller; while one is out, the
// lease record reads as asked for, later writes of it fold into one, and
// after waits behind them; idle, after runs at once.
func TestRecorder(t *testing.T) {
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	disk := &heldStore{Store: st}
	r := &recorder{st: disk, name: "eth0", log: zap.NewNop()}
	rec := func(addr string) *store.Lease {
		return &store.Lease{Ifname: "eth0", Address: addr, Began: time.Unix(1, 0).UTC(),
			FirstACK: store.Encode(ack(t)), ACK: store.Encode(ack(t))}
	}
	asked, release := disk.hold("eth0")
	r.setLease(rec("198.18.0.101/24"))
	<-asked
	if l, _ := r.loadLease(); l == nil || l.Address != "198.18.0.101/24" {
		t.Fatalf("loadLease while written = %+v, want the record being written", l)
	}
	for _, a := range []string{"198.18.0.102/24", "198.18.0.103/24", "198.18.0.104/24"} {
		r.setLease(rec(a))
	}
	done := make(chan struct{})
	r.after(func() { close(done) })
	select {
	case <-done:
		t.Fatal("after ran before the writes queued ahead of it")
	default:
	}
	if l, _ := r.loadLease(); l == nil || l.Address != "198.18.0.104/24" {
		t.Fatalf("loadLease with writes queued = %+v, want the latest asked for", l)
	}
	release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("after never ran")
	}
	if n := disk.savesSoFar(); n != 2 {
		t.Errorf("%d writes, want 2: the one in flight and one for the three queued behind it", n)
	}
	if l, _ := st.LoadLease("eth0"); l == nil || l.Address != "198.18.0.104/24" {
		t.Fatalf("on disk %+v, want the latest record", l)
	}
	waitFor(t, "the recorder idle", func() bool {
		r.serial.mu.Lock()
		defer r.serial.mu.Unlock()
		return !r.running
	})
	ran := false
	r.after(func() { ran = true })
	if !ran {
		t.Fatal("after did not run at once with nothing to write")
	}
	r.setLease(nil)
	r.after(func() {})
	waitFor(t, "the record deleted", func() bool { l, _ := st.LoadLease("eth0"); return l == nil })
	if l, err := r.loadLease(); l != nil || err != nil {
		t.Fatalf("loadLease after delete = %+v, %v", l, err)
	}
}

// ack is an ACK for a lease record.
func ack(t *testing.T) *dhcpv4.DHCPv4 {
	t.Helper()
	m, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck), dhcpv4.WithHwAddr(hw0))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// While the disk is slow to take an interface's records, its actor goes
// on (the exchange completes, status queries are answered), and the start
// is answered only once its records are written: an answer says what the
// next agent will find.
func TestRecordWritesLeaveActorFree(t *testing.T) {
	w := newWorld(t, fast)
	asked, release := w.disk.hold("eth0")
	defer release()
	start := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	<-asked // the interface record's write, held
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	expectType(t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "BOUND in status", func() bool {
		all := w.do(ipc.CmdStatus, "")
		return len(all.Statuses) == 1 && all.Statuses[0].State == "BOUND"
	})
	select {
	case r := <-start:
		t.Fatalf("start answered %+v before its records were written", r)
	default:
	}
	if l, _ := w.store.LoadLease("eth0"); l != nil {
		t.Fatal("the lease record was written past the held interface record")
	}
	release()
	if rep := w.await(start); rep.Error != "" || rep.Status.State != "BOUND" {
		t.Fatalf("start = %+v", rep)
	}
	if l, _ := w.store.LoadLease("eth0"); l == nil || l.Address != leased.String()+"/24" {
		t.Fatalf("lease record after the answer = %+v", l)
	}
	if rec, _ := w.store.Interface("eth0"); !rec.Managed {
		t.Fatal("not recorded as managed when start answered")
	}
}

// A restarted incarnation resumes from the lease record asked for, even
// while the disk has not taken it yet.
func TestRestartReadsRecordBeingWritten(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	asked, release := w.disk.hold("eth0")
	defer release()
	w.clock.Advance(62 * time.Second) // T1: 60 s ±2%
	s := w.send.next(t)
	expectType(t, s, dhcpv4.MessageTypeRequest)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	<-asked // the renewed record's write, held
	w.do(ipc.CmdPanic, "eth0")
	expectReboot(t, w.send.next(t))
}

// Once an interface's lease record is written, its actor reads it from
// memory: renewals (which keep the first ACK's time) and restarts read
// the disk in Receive no more.
func TestWrittenRecordReadFromMemory(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	for i := range 2 {
		w.clock.Advance(62 * time.Second) // T1: 60 s ±2%
		s := w.send.next(t)
		expectType(t, s, dhcpv4.MessageTypeRequest)
		w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
		waitFor(t, "the renewal written", func() bool { return w.disk.savesSoFar() >= 2+i })
	}
	w.do(ipc.CmdPanic, "eth0")
	expectReboot(t, w.send.next(t))
	w.disk.mu.Lock()
	defer w.disk.mu.Unlock()
	if w.disk.loads != 1 {
		t.Fatalf("%d reads of the lease record, want 1 (the first start's, before any was written)", w.disk.loads)
	}
}
