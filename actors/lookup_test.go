package actors

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lookup"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// A start of a new interface looks its link up off the manager's
// mailbox: while the kernel is slow to answer, the manager serves the
// other interfaces, and the commands for that interface wait and are
// answered in order once the link is known.
func TestLinkLookupLeavesManagerFree(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	asked, release := w.links.hold("eth1")
	defer release()
	start := w.ask(0, ipc.CmdStart, "eth1")
	<-asked
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("status eth0 during eth1's lookup = %+v, want BOUND", r)
	}
	status := w.ask(0, ipc.CmdStatus, "eth1")
	select {
	case r := <-status:
		t.Fatalf("status eth1 answered before its link was known: %+v", r)
	default:
	}
	release()
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	if d.ifindex != 3 {
		t.Fatalf("DISCOVER on %d, want eth1 (3)", d.ifindex)
	}
	// Routed after the start, it is eth1's actor's answer (before the
	// start: UNKIF): SELECTING, or INIT and BUSY while the start waits
	// for the lease record's read (persist.go answers status meanwhile).
	if r := w.await(status); r.Error != "" || (r.Status.State != "SELECTING" &&
		(r.Status.State != "INIT" || !contains(r.Status.Flags, "BUSY"))) {
		t.Fatalf("status eth1 after its lookup = %+v (%+v), want SELECTING, or INIT and BUSY (routed after the start)",
			r, r.Status)
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	req := w.send.next(t)
	w.serve(req.msg, dhcpv4.MessageTypeAck, 120)
	if r := w.await(start); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("start eth1 = %+v", r)
	}
}

// A start waiting for its link's lookup when the agent stops is answered
// SHUTDOWN at once, and the shutdown does not wait for the kernel.
func TestShutdownAnswersLookupWaiters(t *testing.T) {
	w := newWorld(t, fast)
	asked, release := w.links.hold("eth1")
	defer release()
	start := w.ask(0, ipc.CmdStart, "eth1")
	<-asked
	w.shutdown(w.mgr, false)
	if r := w.await(start); r.Error != ipc.ErrShutdown {
		t.Fatalf("start waiting for its lookup = %+v, want SHUTDOWN", r)
	}
	release()
	if r := w.do(ipc.CmdStart, "eth0"); r.Error != ipc.ErrShutdown {
		t.Fatalf("start after shutdown = %+v, want SHUTDOWN", r)
	}
	w.send.none(t)
}

// A link event for a name being looked up makes the answer stale: the
// lookup is made again, and the start answers by the kernel's later word.
func TestLookupRedoneAfterLinkEvent(t *testing.T) {
	w := newWorld(t, fast)
	asked, release := w.links.hold("eth1")
	start := w.ask(0, ipc.CmdStart, "eth1")
	<-asked
	// The link goes while its first lookup, which found it, is out: the
	// second finds it gone.
	w.links.mu.Lock()
	delete(w.links.known, "eth1")
	w.links.mu.Unlock()
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth1", Deleted: true})
	release()
	if r := w.await(start); r.Error != ipc.ErrInvalid {
		t.Fatalf("start of a link deleted during its lookup = %+v, want INVALID", r)
	}
	w.send.none(t)
}

// A link that keeps changing while it is looked up (a stream of link
// events, each one after the kernel answered and before the answer is in)
// holds the commands waiting for it no longer than a bounded number of
// lookups: the latest answer is used, and the event it predates is not
// lost but handled after it. Here each answer found the link and each
// event is its deletion: the start is answered as a deletion answers it.
func TestFlappingLinkLookupBounded(t *testing.T) {
	w := newWorld(t, fast)
	w.links.mu.Lock()
	w.links.asked = func(name string) {
		w.system.Root.Send(w.mgr, &messages.Link{Ifname: name, Deleted: true})
	}
	w.links.mu.Unlock()
	defer func() {
		w.links.mu.Lock()
		w.links.asked = nil
		w.links.mu.Unlock()
	}()
	if r := w.do(ipc.CmdStart, "eth1"); r.Error != ipc.ErrUnkIf {
		t.Fatalf("start behind a flapping link's lookup = %+v, want UNKIF (its link deleted)", r)
	}
	w.links.mu.Lock()
	calls := w.links.calls
	w.links.mu.Unlock()
	if calls > 1+lookup.MaxAgain {
		t.Fatalf("%d lookups, want at most %d", calls, 1+lookup.MaxAgain)
	}
	// Gone, or not managed once its record, which the start answered
	// UNKIF never wrote, is read (hotplug.go readGone).
	if r := w.do(ipc.CmdStatus, "eth1"); r.Error != ipc.ErrUnkIf {
		t.Fatalf("status eth1 = %+v, want UNKIF", r)
	}
}
