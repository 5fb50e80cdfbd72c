package actors

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

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

// Status of one interface, as of all, and info are answered while the
// disk is slow to take its records: they say nothing of what the next
// agent finds, so they do not wait for the writes asked before them
// (ping does: control.settled uses it as a barrier).
func TestStatusDuringRecordWrite(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	asked, release := w.disk.hold("eth0")
	defer release()
	ext := w.ask(0, ipc.CmdExtend, "eth0")
	s := w.send.next(t)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	<-asked // the renewed record's write, held
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("status during the write = %+v", r)
	}
	// info (dhcpinfo) reads the lease in memory just the same
	info := w.askReq(&ipc.Request{Command: ipc.CmdInfo, Ifname: "eth0", Args: map[string]string{ipc.ArgOption: "3"}})
	if r := w.await(info); r.Error != "" || len(r.Values) != 1 || r.Values[0] != serverIP.String() {
		t.Fatalf("info 3 during the write = %+v", r)
	}
	stillWaiting(t, ext) // its answer says the record is written
	release()
	if r := w.await(ext); r.Error != "" {
		t.Fatalf("extend = %+v", r)
	}
}
