package actors

import (
	"sync"

	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// Review by attack (h7): commands racing the kernel worker's held apply
// each get exactly one answer, and nothing stays half applied.

// A drop sent while the start's lease is being applied is answered after
// the address it took off is gone; the start gets its one answer too.
func TestReviewDropRacingApply(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.startApplying("eth0", 2, 120)
	drop := w.ask(0, ipc.CmdDrop, "eth0")
	stillWaiting(t, drop)
	release()
	w.await(start)
	if r := w.await(drop); r.Error != "" {
		t.Fatalf("drop racing the apply = %+v", r)
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses when drop answered: %v, want none", addrs)
	}
	stillWaiting(t, start) // no second answer
}

// A link deleted while its lease is being applied answers the start once,
// and status of the (gone) interface is answered, not held.
func TestReviewLinkDeletedMidApply(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.startApplying("eth0", 2, 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	st := w.ask(0, ipc.CmdStatus, "eth0")
	w.await(st)
	release()
	if r := w.await(start); r.Error == "" && r.Status.State != "BOUND" {
		t.Fatalf("start on a link deleted mid-apply = %+v", r)
	}
	stillWaiting(t, start)
}

// SIGTERM (the manager's shutdown, dropping) while an apply is held ends
// once the worker is done, with the start answered and the address gone.
func TestReviewShutdownWhileApplying(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.startApplying("eth0", 2, 120)
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
	release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown not done within 5 s of the apply's release")
	}
	w.await(start)
	stillWaiting(t, start)
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses after a dropping shutdown: %v, want none", addrs)
	}
}

// holdOp makes the fake kernel's op on ifindex wait until release.
func (w *world) holdOp(op string, ifindex int) (asked <-chan struct{}, release func()) {
	in, out := make(chan struct{}), make(chan struct{})
	var once sync.Once
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == op && c.Ifindex == ifindex {
			once.Do(func() { close(in) })
			<-out
		}
		return nil
	})
	rel := sync.OnceFunc(func() { close(out) })
	w.t.Cleanup(rel)
	return in, rel
}

// An actor that restarts while its drop's Remove is held answers the drop
// once, after the address is gone, and does not resume the interface.
func TestReviewRestartWhileRemoving(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	asked, release := w.holdOp("Remove", 2)
	drop := w.ask(0, ipc.CmdDrop, "eth0")
	<-asked
	panicked := w.ask(0, ipc.CmdPanic, "eth0")
	stillWaiting(t, drop)
	release()
	if r := w.await(drop); r.Error != "" {
		t.Fatalf("drop = %+v", r)
	}
	w.await(panicked)
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses when drop answered: %v, want none", addrs)
	}
	stillWaiting(t, drop)
	w.send.none(t) // not resumed: nothing sent
}

// Two NICs on one subnet: eth0's held apply holds neither eth1's start
// nor its answer, and each gets exactly one answer.
func TestReviewTwoNICsOneSubnetHeldApply(t *testing.T) {
	w := newWorld(t, fast)
	start0, release := w.startApplying("eth0", 2, 120)
	start1 := w.ask(0, ipc.CmdStart, "eth1")
	w.serveBind(120)
	if r := w.await(start1); r.Error != "" {
		t.Fatalf("start eth1 = %+v", r)
	}
	release()
	if r := w.await(start0); r.Error != "" {
		t.Fatalf("start eth0 = %+v", r)
	}
	stillWaiting(t, start0)
	stillWaiting(t, start1)
}
