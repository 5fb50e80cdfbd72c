package actors

import (
	"slices"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// While an interface actor's first read of its lease record is under way
// (persist.go), it holds the messages that must wait for the record, but
// not those that need no record: a slow or hung disk must not leave
// status unanswered, a shutdown waiting for the manager's bound or a
// deleted link unseen.

// loading starts eth0 with its lease record's read held, and returns the
// start's reply and the read's release.
func (w *world) loading() (start <-chan *ipc.Reply, release func()) {
	w.t.Helper()
	release = w.holding("read eth0", func() { start = w.ask(0, ipc.CmdStart, "eth0") })
	return start, release
}

// holding holds the store's calls for name (heldStore), does what makes
// one, and returns once it is held, with its release.
func (w *world) holding(name string, do func()) (release func()) {
	w.t.Helper()
	asked, release := w.disk.hold(name)
	w.t.Cleanup(release)
	do()
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		w.t.Fatalf("no call for %q within 5 s", name)
	}
	return release
}

// direct sends a command for ifname to the manager, as the IPC actor does,
// in order with the test's other messages to it.
func (w *world) direct(ifname string, req messages.Request) <-chan *messages.Result {
	ch := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Command{Ifname: ifname, Req: req, Reply: ch})
	return ch
}

// result waits for a command's result sent by direct.
func (w *world) result(ch <-chan *messages.Result) *messages.Result {
	w.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		w.t.Fatal("no result within 5 s")
		return nil
	}
}

// TestStatusWhileRecordLoads: status of the interface, and of all, is
// answered at once: the machine is idle (INIT), busy with the start it
// holds. The start then goes on.
func TestStatusWhileRecordLoads(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.loading()
	r := w.do(ipc.CmdStatus, "eth0")
	if r.Error != "" || r.Status == nil || r.Status.State != "INIT" || !slices.Contains(r.Status.Flags, "BUSY") {
		t.Fatalf("status while loading = %+v (status %+v), want INIT, BUSY", r, r.Status)
	}
	all := w.do(ipc.CmdStatus, "")
	if all.Error != "" || len(all.Statuses) != 1 || all.Statuses[0].State != "INIT" {
		t.Fatalf("status of all while loading = %+v", all)
	}
	stillWaiting(t, start)
	release()
	if r := w.grant(start, 120); r.Error != "" {
		t.Fatalf("start = %+v", r)
	}
}

// TestShutdownWhileRecordLoads: the agent's stop is answered at once,
// what the actor held is answered SHUTDOWN, and nothing it held is
// carried out, then or once the read is done.
func TestShutdownWhileRecordLoads(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.loading()
	extend := w.direct("eth0", messages.Extend{})
	w.shutdown(w.mgr, false)
	if r := w.await(start); r.Error != ipc.ErrShutdown {
		t.Fatalf("start = %+v, want SHUTDOWN", r)
	}
	if r := w.result(extend); r.Code != ipc.ErrShutdown {
		t.Fatalf("extend = %+v, want SHUTDOWN", r)
	}
	release()
	w.drainRecords()
	w.send.none(t)
	if applied, removed := w.net.Snapshot(); len(applied) != 0 || len(removed) != 0 {
		t.Fatalf("applied %v, removed %v after a stop while loading", applied, removed)
	}
}

// TestLinkDeletedWhileRecordLoads: a deleted link ends the actor at once
// and what it held is answered UNKIF.
func TestLinkDeletedWhileRecordLoads(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.loading()
	extend := w.direct("eth0", messages.Extend{})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	if r := w.await(start); r.Error != ipc.ErrUnkIf {
		t.Fatalf("start = %+v, want UNKIF", r)
	}
	if r := w.result(extend); r.Code != ipc.ErrUnkIf {
		t.Fatalf("extend = %+v, want UNKIF", r)
	}
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != ipc.ErrUnkIf {
		t.Fatalf("status after the deletion = %+v, want UNKIF", r)
	}
	release()
	w.drainRecords()
	w.send.none(t)
}

// TestHeldWhileRecordLoadsBounded: the actor holds at most maxHeld
// messages; a command beyond them is answered LIMIT at once, not lost,
// and those held are handled once the record is in.
func TestHeldWhileRecordLoadsBounded(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.loading()
	pings := make([]<-chan *messages.Result, maxHeld-1) // with the start: maxHeld
	for i := range pings {
		pings[i] = w.direct("eth0", messages.Ping{})
	}
	over := w.direct("eth0", messages.Ping{})
	if r := w.result(over); r.Code != ipc.ErrLimit {
		t.Fatalf("ping beyond the bound = %+v, want LIMIT", r)
	}
	stillWaiting(t, pings[len(pings)-1])
	release()
	if r := w.grant(start, 120); r.Error != "" {
		t.Fatalf("start = %+v", r)
	}
	for i, ch := range pings {
		if r := w.result(ch); r.Failed() {
			t.Fatalf("held ping %d = %+v", i, r)
		}
	}
}

// restartLoading binds eth0, then restarts its actor with the read of its
// lease record held, and returns the read's release: a record write that
// fails leaves the recorder without the record, so the restarted
// incarnation reads the disk.
func (w *world) restartLoading() (release func()) {
	w.t.Helper()
	w.bind("eth0", 120)
	w.disk.failLeases(errTest)
	ext := w.ask(0, ipc.CmdExtend, "eth0")
	r := w.send.next(w.t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ext); rep.Error != "" {
		w.t.Fatalf("extend = %+v", rep)
	}
	w.disk.failLeases(nil)
	return w.holding("read eth0", func() { w.do(ipc.CmdPanic, "eth0") })
}

// stopDroppedOnRead releases the record's read restartLoading holds and
// checks that the agent's stop, answered on done, then drops the lease.
func (w *world) stopDroppedOnRead(release func(), done <-chan *messages.Result) {
	w.t.Helper()
	release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		w.t.Fatal("shutdown not done within 5 s of the read")
	}
	if _, removed := w.net.Snapshot(); len(removed) != 1 {
		w.t.Fatalf("removed %v, want the lease dropped by the stop", removed)
	}
}

// TestShutdownWhileRestartLoads: a restarted incarnation of a running
// interface has its lease on the host, so the agent's stop waits for the
// record's read and then drops the lease (SPEC §2), rather than leaving
// it configured after the agent has gone.
func TestShutdownWhileRestartLoads(t *testing.T) {
	w := newWorld(t, fast)
	release := w.restartLoading()
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
	// A barrier: the manager answers once it has passed the stop on, so
	// the actor sees the stop before the record, released below.
	if r := w.result(w.direct("eth0", messages.Ping{})); r.Code != ipc.ErrShutdown {
		t.Fatalf("ping after the stop = %+v, want SHUTDOWN", r)
	}
	if _, removed := w.net.Snapshot(); len(removed) != 0 {
		t.Fatalf("removed %v before the record was read", removed)
	}
	w.stopDroppedOnRead(release, done)
}

// TestShutdownWhileRestartLoadsFull: the agent's stop is never refused by
// a full record gate. A running interface's restarted incarnation holding
// maxHeld commands while its record is read dropped the stop as it drops
// a carrier change: the lease stayed on the host after the agent exited,
// which waited shutdownWait for an answer that never came. What the gate
// held is answered SHUTDOWN to make room (nothing of it would outlast
// the stop); the stop then waits for the record and drops the lease.
func TestShutdownWhileRestartLoadsFull(t *testing.T) {
	w := newWorld(t, fast)
	release := w.restartLoading()
	pings := make([]<-chan *messages.Result, maxHeld)
	for i := range pings {
		pings[i] = w.direct("eth0", messages.Ping{})
	}
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
	if r := w.result(w.direct("eth0", messages.Ping{})); r.Code != ipc.ErrShutdown {
		t.Fatalf("ping after the stop = %+v, want SHUTDOWN", r)
	}
	for i, ch := range pings {
		if r := w.result(ch); r.Code != ipc.ErrShutdown {
			t.Fatalf("held ping %d = %+v, want SHUTDOWN", i, r)
		}
	}
	w.stopDroppedOnRead(release, done)
}
