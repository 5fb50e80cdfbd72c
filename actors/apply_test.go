package actors

import (
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// holdApply makes the fake kernel's Apply on ifindex wait until release,
// as a kernel slow to answer would; asked is closed once one waits.
func holdApply(k *kerneltest.Kernel, ifindex int) (asked <-chan struct{}, release func()) {
	in, out := make(chan struct{}), make(chan struct{})
	var once sync.Once
	k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Apply" && c.Ifindex == ifindex {
			once.Do(func() { close(in) })
			<-out
		}
		return nil
	})
	return in, sync.OnceFunc(func() { close(out) })
}

// serveBind serves the acquisition a start began, without waiting for
// its answer.
func (w *world) serveBind(secs uint32) {
	w.t.Helper()
	d := w.send.next(w.t)
	expectType(w.t, d, dhcpv4.MessageTypeDiscover)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, secs)
	r := w.send.next(w.t)
	expectType(w.t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeAck, secs)
}

// startApplying starts ifname (ifindex) and serves its acquisition of a
// lease of secs seconds with the kernel's Apply held: it returns once the
// application waits, with the start's reply channel and what releases
// the kernel.
func (w *world) startApplying(ifname string, ifindex int, secs uint32) (<-chan *ipc.Reply, func()) {
	w.t.Helper()
	asked, release := holdApply(w.net, ifindex)
	w.t.Cleanup(release)
	start := w.ask(0, ipc.CmdStart, ifname)
	w.serveBind(secs)
	<-asked
	// The worker may start the job before the actor has finished handling
	// the message that asked for it, and armed the bound on the clock: a
	// status answered means it has (messages are handled in order).
	w.do(ipc.CmdStatus, ifname)
	return start, release
}

// While the kernel is slow to take a lease, the interface actor goes on:
// status is answered at once, BOUND and BUSY; the BOUND hook runs, and the
// start is answered, only once the address is on the interface.
func TestApplyLeavesActorFree(t *testing.T) {
	w := newWorld(t, fast+"# hooks\n")
	start, release := w.startApplying("eth0", 2, 120)
	st := w.do(ipc.CmdStatus, "eth0")
	if st.Error != "" || st.Status.State != "BOUND" || !contains(st.Status.Flags, "BUSY") {
		t.Fatalf("status while the lease is applied = %+v, want BOUND and BUSY", st)
	}
	stillWaiting(t, start)
	stillWaiting(t, w.hooks.runs)
	// The other interface is not held behind eth0's kernel work.
	other := w.ask(0, ipc.CmdStart, "eth1")
	w.serveBind(120)
	if h := w.hooks.next(t); h.ifname != "eth1" {
		t.Fatalf("hook of %s ran first, want eth1's", h.ifname)
	} else {
		h.done(nil)
	}
	if r := w.await(other); r.Error != "" {
		t.Fatalf("start eth1 while eth0's apply is held = %+v", r)
	}
	release()
	h := w.hooks.next(t)
	if h.ifname != "eth0" || h.event != "BOUND" {
		t.Fatalf("hook %s %s, want eth0 BOUND", h.ifname, h.event)
	}
	addrs, _ := w.net.Addrs()
	if !slices.Contains(addrs, kernel.IfAddr{Ifindex: 2, Prefix: netip.PrefixFrom(leased, 24)}) {
		t.Fatalf("the BOUND hook ran with the addresses %v: the lease not applied yet", addrs)
	}
	stillWaiting(t, start)
	h.done(nil)
	rep := w.await(start)
	if rep.Error != "" || rep.Status.State != "BOUND" || contains(rep.Status.Flags, "BUSY") {
		t.Fatalf("start = %+v, want BOUND, not BUSY", rep)
	}
}

// A kernel that never answers holds nothing for ever: past kernelWait the
// start is answered all the same.
func TestApplyWaitIsBounded(t *testing.T) {
	w := newWorld(t, fast)
	start, _ := w.startApplying("eth0", 2, 3600)
	stillWaiting(t, start)
	w.clock.Advance(kernelWait)
	if rep := w.await(start); rep.Error != "" || rep.Status.State != "BOUND" {
		t.Fatalf("start = %+v, want BOUND", rep)
	}
}

// A drop waits for the address to be taken off the interface, and a
// restart of the actor meanwhile loses none of it: what the failed
// incarnation applied is what the next one's drop removes.
func TestDropAfterRestartRemovesWhatWasApplied(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.do(ipc.CmdPanic, "eth0")
	expectReboot(t, w.send.next(t))
	if r := w.do(ipc.CmdDrop, "eth0"); r.Error != "" {
		t.Fatalf("drop = %+v", r)
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses when drop answered: %v, want none", addrs)
	}
}

// An actor that restarts while its lease is being applied leaves nothing
// half done: the start is answered once the worker, which outlives the
// incarnation, has applied the lease; the next incarnation resumes from
// the lease record, and its drop takes the address away.
func TestRestartWhileApplying(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.startApplying("eth0", 2, 120)
	w.do(ipc.CmdPanic, "eth0")
	s := w.send.next(t)
	expectReboot(t, s) // the next incarnation, from the lease record
	stillWaiting(t, start)
	release()
	if rep := w.await(start); rep.Error != "" || rep.Status.State != "BOUND" {
		t.Fatalf("start = %+v, want BOUND", rep)
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 1 {
		t.Fatalf("addresses when start answered: %v, want the lease's", addrs)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "BOUND again, applied", func() bool {
		st := w.do(ipc.CmdStatus, "eth0").Status
		return st.State == "BOUND" && !contains(st.Flags, "BUSY")
	})
	if r := w.do(ipc.CmdDrop, "eth0"); r.Error != "" {
		t.Fatalf("drop = %+v", r)
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses when drop answered: %v, want none", addrs)
	}
}
