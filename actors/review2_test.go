package actors

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// Review by attack (h5): the admin actor failing for real (a panic its
// supervisor restarts it from) while a plan step is held, SIGTERM with a
// kernel that never answers, and the like. Each command gets exactly one
// answer and what the store and the kernel keep agrees with the answers.

// adminPanic makes the admin actor panic when it receives it (through a
// receiver middleware: the actor's own code has no such message).
type adminPanic struct{}

// panickyAdmin replaces the world's admin actor by one that panics on
// adminPanic (respawnAdmin), and waits until it has read the store.
func (w *world) panickyAdmin() {
	w.t.Helper()
	w.respawnAdmin(w.panickyProps())
	w.showIf()
}

// panickyProps is the admin actor's Props with a receiver middleware
// that panics on adminPanic.
func (w *world) panickyProps() *actor.Props {
	return AdminProps(w.env, w.mgr).Configure(actor.WithReceiverMiddleware(func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(c actor.ReceiverContext, e *actor.MessageEnvelope) {
			if _, ok := e.Message.(adminPanic); ok {
				panic("h5: the admin actor fails")
			}
			next(c, e)
		}
	}))
}

// respawnAdmin stops the world's admin actor and starts props in its
// place, under the same name, and the IPC actor in front of it: an agent
// started again over the same store and kernel, as far as ipadm goes.
func (w *world) respawnAdmin(props *actor.Props) {
	w.t.Helper()
	// The admin actor being replaced has read the store (a listing waits
	// for it): its reading goroutine, which sends to the actor by name,
	// must not send while the new actor under that name is being spawned
	// (protoactor registers a process before its mailbox's handlers, a
	// data race the race detector reports).
	w.showIf()
	if err := w.system.Root.StopFuture(w.admin).Wait(); err != nil {
		w.t.Fatal(err)
	}
	var err error
	if w.admin, err = w.system.Root.SpawnNamed(props, "ipadm"); err != nil {
		w.t.Fatal(err)
	}
	// The IPC actor saw the admin actor stop and answers its commands
	// INTERNAL from then on (package control): it is started again too, as in a
	// restarted agent.
	if err := w.system.Root.StopFuture(w.ipc).Wait(); err != nil {
		w.t.Fatal(err)
	}
	if w.ipc, err = w.system.Root.SpawnNamed(control.Props(w.mgr, w.admin, zap.NewNop(), 4242), "ipc"); err != nil {
		w.t.Fatal(err)
	}
}

// An admin actor that panics while create-if eth0 is held in its
// ipadm.json write and create-if eth1 waits behind it: eth1 is answered
// once (INTERNAL) and never configured, eth0 once (OK) when the write is
// done, and the restarted actor knows eth0: the next command works and
// keeps eth0 in ipadm.json (a restarted actor that read the store before
// the held write ended would write eth0 out of it).
func TestReview2AdminPanicWhileWriting(t *testing.T) {
	w := newWorld(t, fast)
	w.panickyAdmin()
	running, queued, release := w.runningAndQueued()
	defer release()
	w.system.Root.Send(w.admin, adminPanic{})
	if r := w.await(queued); r.Error != ipc.ErrInternal {
		t.Errorf("create-if eth1 queued at the panic = %+v, want INTERNAL", r)
	}
	stillWaiting(t, running)
	release()
	if r := w.await(running); r.Error != "" {
		t.Fatalf("create-if eth0 running at the panic = %+v, want OK", r)
	}
	if w.up("eth1") {
		t.Error("the command answered at the panic brought eth1 up")
	}
	if r := w.adm(ipc.CmdCreateIf, "eth1"); r.Error != "" {
		t.Fatalf("create-if eth1 after the restart = %+v", r)
	}
	c, err := w.store.LoadIPAdm()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"eth0", "eth1"} {
		if _, ok := c.Interfaces[n]; !ok {
			t.Errorf("ipadm.json after the restart and create-if eth1 has no %s: %+v", n, c.Interfaces)
		}
	}
	got := w.showIf()
	if len(got) != 2 || !slices.ContainsFunc(got, func(s string) bool { return len(s) > 4 && s[:5] == "eth0 " }) {
		t.Errorf("show-if after the restart = %v, want eth0 and eth1", got)
	}
	stillWaiting(t, running)
	stillWaiting(t, queued)
}

// An admin actor that panics while create-addr's DHCP step waits for the
// manager (the DISCOVER is out, nothing answered): the command is answered
// once, with the lease, when it binds; the restarted actor lists the
// object and its delete-addr takes the address off.
func TestReview2AdminPanicWhileDHCPWaits(t *testing.T) {
	w := newWorld(t, fast)
	w.panickyAdmin()
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth0/d",
		ipc.ArgType: "dhcp"}})
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	w.system.Root.Send(w.admin, adminPanic{})
	w.showIf() // the restarted actor has read the store
	stillWaiting(t, ch)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	expectType(t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch); rep.Error != "" || rep.Status == nil || rep.Status.State != "BOUND" {
		t.Fatalf("create-addr across the panic = %+v, want OK with a BOUND status", rep)
	}
	if got := w.showAddr(); len(got) != 1 || !strings.HasPrefix(got[0], "eth0/d ") {
		t.Errorf("show-addr after the restart = %v, want eth0/d", got)
	}
	if rep := w.adm(ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth0/d"); rep.Error != "" {
		t.Fatalf("delete-addr after the restart = %+v", rep)
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Errorf("addresses after delete-addr: %v, want none", addrs)
	}
	if c, err := w.store.LoadIPAdm(); err != nil || len(c.Addresses) != 0 {
		t.Errorf("ipadm.json after delete-addr = %+v, %v; want no address", c, err)
	}
	stillWaiting(t, ch)
}

// stuckKernel makes every Apply and Remove of the fake kernel wait until
// the test ends: a kernel that never answers.
func (w *world) stuckKernel() {
	stuck := make(chan struct{})
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Apply" || c.Op == "Remove" {
			<-stuck
		}
		return nil
	})
	w.t.Cleanup(func() { close(stuck) })
}

// advanceUntil advances the clock by kernelWait each time nothing came on
// ch for a moment, at most five times (a kernelLate timer may be armed
// only after the message that arms it is processed), and returns what came.
func advanceUntil[T any](w *world, ch <-chan T, what string) T {
	w.t.Helper()
	for range 5 {
		select {
		case v := <-ch:
			return v
		case <-time.After(200 * time.Millisecond):
			w.clock.Advance(kernelWait)
		}
	}
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		w.t.Fatalf("%s: nothing within 5 x kernelWait", what)
		var zero T
		return zero
	}
}

// SIGTERM while the kernel never answers: eth0's lease is being applied
// (held for ever), a drop of eth0 waits behind it, eth1 is bound. The
// shutdown completes once kernelWait has passed, every command is answered
// once, and a command after SIGTERM answers SHUTDOWN at once and starts
// nothing.
func TestReview2ShutdownKernelNeverAnswers(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth1", 3600)
	w.stuckKernel()
	start := w.ask(0, ipc.CmdStart, "eth0")
	w.serveBind(3600)
	drop := w.ask(0, ipc.CmdDrop, "eth0")
	st := w.do(ipc.CmdStatus, "eth0") // the actor is free meanwhile
	if st.Error != "" || st.Status == nil {
		t.Fatalf("status while the kernel hangs = %+v", st)
	}
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Reply: done})
	late := w.ask(0, ipc.CmdStart, "eth0")
	if r := w.await(late); r.Error != ipc.ErrShutdown {
		t.Errorf("start after SIGTERM = %+v, want SHUTDOWN at once", r)
	}
	advanceUntil(w, done, "the shutdown")
	for name, ch := range map[string]<-chan *ipc.Reply{"start": start, "drop": drop} {
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Errorf("%s eth0 not answered when the shutdown was", name)
		}
		stillWaiting(t, ch)
	}
	w.send.none(t) // nothing started by the late start
}

// An interface actor that fails too often while its kernel work hangs
// (its lease being applied, held for ever) is marked FAILED, and every
// command sent to it, the panics and a status queued behind the last one
// (discarded with its mailbox), is answered within kernelWait: the
// answers of a stopped actor's mailbox wait for its kernel work, but not
// for ever.
func TestReview2FailedWhileKernelHangs(t *testing.T) {
	w := newWorld(t, fast)
	w.stuckKernel()
	start := w.ask(0, ipc.CmdStart, "eth0")
	w.serveBind(3600)
	var asked []<-chan *ipc.Reply
	for range maxRestarts + 1 {
		asked = append(asked, w.ask(0, ipc.CmdPanic, "eth0"))
	}
	asked = append(asked, w.ask(0, ipc.CmdStatus, "eth0"), start)
	for i, ch := range asked {
		r := advanceUntil(w, ch, fmt.Sprintf("command %d", i))
		if i == maxRestarts+1 && r.Error != ipc.ErrFailedIf {
			t.Errorf("status discarded with the failed actor's mailbox = %+v, want FAILEDIF", r)
		}
	}
	if r := w.do(ipc.CmdPing, "eth0"); r.Error != ipc.ErrFailedIf {
		t.Errorf("ping of the failed interface = %+v, want FAILEDIF", r)
	}
	for _, ch := range asked {
		stillWaiting(t, ch)
	}
}

// damage replaces the state dir's entry name by kind: a directory (with a
// file in it), a FIFO, a symbolic link to /dev/zero, or garbage JSON.
func (w *world) damage(name, kind string) {
	w.t.Helper()
	path := filepath.Join(w.store.Dir(), name)
	if err := os.RemoveAll(path); err != nil {
		w.t.Fatal(err)
	}
	var err error
	switch kind {
	case "dir":
		if err = os.Mkdir(path, 0o700); err == nil {
			err = os.WriteFile(filepath.Join(path, "inside"), []byte("x"), 0o600)
		}
	case "fifo":
		err = unix.Mkfifo(path, 0o600)
	case "devzero":
		err = os.Symlink("/dev/zero", path)
	case "garbage":
		err = os.WriteFile(path, []byte(`{"ifname":"eth0","ack":"zz`), 0o600)
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

// renew has eth0 renew (extend) and serves the ACK for secs seconds.
func (w *world) renew(secs uint32) {
	w.t.Helper()
	ch := w.ask(0, ipc.CmdExtend, "eth0")
	r := w.send.next(w.t)
	expectType(w.t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeAck, secs)
	if rep := w.await(ch); rep.Error != "" {
		w.t.Fatalf("extend = %+v", rep)
	}
}

// The lease record of a bound interface damaged while the agent runs,
// then a renewal (its record written again) and a restart of the actor
// (its record read again): the actor comes back within its bounds, by
// INIT-REBOOT onto the lease it had (it is not lost to the damage), the
// address stays, and the agent restarted over the store resumes it too.
func TestReview2LeaseRecordDamagedWhileRunning(t *testing.T) {
	for _, kind := range []string{"dir", "fifo", "devzero", "garbage"} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t, fast)
			w.bind("eth0", 3600)
			w.damage(filepath.Join("leases", "eth0.json"), kind)
			w.renew(3600)
			w.drainRecords()
			w.do(ipc.CmdPanic, "eth0")
			expectReboot(t, w.send.next(t))
			if addrs, _ := w.net.Addrs(); len(addrs) != 1 {
				t.Fatalf("addresses after the restart: %v, want the lease's", addrs)
			}
			if st := w.do(ipc.CmdStatus, "eth0"); st.Error != "" {
				t.Fatalf("status after the restart = %+v", st)
			}
			w.kill()
			w2 := newWorldWith(t, fast, w.store, w.net)
			expectReboot(t, w2.send.next(t))
		})
	}
}

// ipadm.json turned into a directory while the agent runs: the next
// create-if is answered OK and persisted (the directory set aside), not
// INTERNAL for ever.
func TestReview2IPAdmDirWhileRunning(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != "" {
		t.Fatalf("create-if eth0 = %+v", r)
	}
	w.damage("ipadm.json", "dir")
	if r := w.adm(ipc.CmdCreateIf, "eth1"); r.Error != "" {
		t.Fatalf("create-if eth1 with ipadm.json a directory = %+v", r)
	}
	c, err := w.store.LoadIPAdm()
	if err != nil || len(c.Interfaces) != 2 {
		t.Fatalf("ipadm.json after create-if eth1 = %+v, %v; want eth0 and eth1", c, err)
	}
	aside, _ := filepath.Glob(filepath.Join(w.store.Dir(), "ipadm.json.corrupt-*"))
	if len(aside) != 1 {
		t.Errorf("set aside: %v, want the directory", aside)
	}
}

// LoadIPAdm waits while the test holds "load ipadm.json": a slow disk at
// start-up. ipadmLoads counts the calls, by store.
func (s *heldStore) LoadIPAdm() (*ipadm.Config, error) {
	n, _ := ipadmLoads.LoadOrStore(s, new(atomic.Int32))
	n.(*atomic.Int32).Add(1)
	s.wait("load ipadm.json")
	return s.Store.LoadIPAdm()
}

var ipadmLoads sync.Map // *heldStore -> *atomic.Int32

// loadsOfIPAdm returns how many times the actors asked for ipadm.json.
func (s *heldStore) loadsOfIPAdm() int32 {
	n, _ := ipadmLoads.LoadOrStore(s, new(atomic.Int32))
	return n.(*atomic.Int32).Load()
}

// Commit 3c7a53e: a SIGTERM that comes while the admin actor still reads
// ipadm.json at start-up replays nothing: the persistent eth0, down in
// the kernel, stays down, and the shutdown is answered once the read is
// done.
func TestReview2ShutdownWhileReadingIPAdm(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != "" {
		t.Fatalf("create-if eth0 = %+v", r)
	}
	if err := w.net.SetUp(2, false); err != nil { // as at boot: down until replayed
		t.Fatal(err)
	}
	asked, release := w.disk.hold("load ipadm.json")
	defer release()
	w.respawnAdmin(AdminProps(w.env, w.mgr))
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("the admin actor never read ipadm.json")
	}
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.admin, &messages.Shutdown{Reply: done})
	late := w.askReq(&ipc.Request{Command: ipc.CmdCreateIf, Ifname: "eth1", Args: map[string]string{}})
	if r := w.await(late); r.Error != ipc.ErrShutdown {
		t.Errorf("create-if after SIGTERM = %+v, want SHUTDOWN", r)
	}
	release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown not answered after the read")
	}
	if w.up("eth0") {
		t.Error("eth0 brought up by a replay after SIGTERM")
	}
	if w.up("eth1") {
		t.Error("eth1 brought up by a command after SIGTERM")
	}
}

// An admin actor restarted (a panic) keeps the active configuration its
// earlier incarnation committed: the temporary objects (ipadm -t, in
// memory only) are still listed, and at SIGTERM the temporary static
// address is removed, as without the restart; a restart that forgot them
// left the address in the kernel after the agent's exit. A persistent
// interface the operator disabled is not brought back up by the restart's
// replay either.
func TestReview2AdminPanicKeepsTemporaryObjects(t *testing.T) {
	w := newWorld(t, fast)
	w.panickyAdmin()
	if r := w.adm(ipc.CmdCreateIf, "eth1"); r.Error != "" {
		t.Fatalf("create-if eth1 = %+v", r)
	}
	if r := w.adm(ipc.CmdDisableIf, "eth1"); r.Error != "" || w.up("eth1") {
		t.Fatalf("disable-if eth1 = %+v, up %v", r, w.up("eth1"))
	}
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/t", ipc.ArgType, "static", ipc.ArgAddress, "198.18.8.8/24",
		ipc.ArgTemporary, "yes"); r.Error != "" {
		t.Fatalf("create-addr -t = %+v", r)
	}
	before := w.showAddr()
	w.system.Root.Send(w.admin, adminPanic{})
	if got := w.showAddr(); !slices.Equal(got, before) {
		t.Errorf("show-addr after the restart = %v, want %v", got, before)
	}
	if w.up("eth1") {
		t.Error("the restart's replay brought the disabled eth1 up")
	}
	w.shutdown(w.admin, false)
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Errorf("addresses after SIGTERM: %v; want the temporary one removed", addrs)
	}
}

// ipadm.json damaged while the agent runs (garbage), then the admin actor
// restarts (a panic): the restarted actor keeps the persistent objects it
// committed rather than take the damage for an empty configuration, so
// the next create-if writes eth0 back with eth1 instead of erasing it.
func TestReview2AdminPanicAfterIPAdmDamaged(t *testing.T) {
	w := newWorld(t, fast)
	w.panickyAdmin()
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != "" {
		t.Fatalf("create-if eth0 = %+v", r)
	}
	w.damage("ipadm.json", "garbage")
	w.system.Root.Send(w.admin, adminPanic{})
	if r := w.adm(ipc.CmdCreateIf, "eth1"); r.Error != "" {
		t.Fatalf("create-if eth1 after the restart = %+v", r)
	}
	c, err := w.store.LoadIPAdm()
	if err != nil || len(c.Interfaces) != 2 {
		t.Fatalf("ipadm.json = %+v, %v; want eth0 and eth1", c, err)
	}
}

// An admin actor that panics while it still reads ipadm.json at start-up
// (the read held): the read it started is ignored by the next
// incarnation, which reads again and replays once. Taken for its own,
// the earlier read replayed the persistent eth0 twice and marked the
// actor idle while the first replay ran.
func TestReview2AdminPanicWhileReadingIPAdm(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != "" {
		t.Fatalf("create-if eth0 = %+v", r)
	}
	if err := w.net.SetUp(2, false); err != nil {
		t.Fatal(err)
	}
	var ups atomic.Int32
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "SetUp" && c.Ifindex == 2 {
			ups.Add(1)
		}
		return nil
	})
	asked, release := w.disk.hold("load ipadm.json")
	defer release()
	loads := w.disk.loadsOfIPAdm()
	w.respawnAdmin(w.panickyProps())
	<-asked
	w.system.Root.Send(w.admin, adminPanic{})
	waitFor(t, "the restarted actor's read", func() bool { return w.disk.loadsOfIPAdm() == loads+2 })
	release()
	if r := w.adm(ipc.CmdCreateIf, "eth1"); r.Error != "" { // behind every replay
		t.Fatalf("create-if eth1 = %+v", r)
	}
	if !w.up("eth0") {
		t.Error("eth0 not replayed after the restart")
	}
	if n := ups.Load(); n != 1 {
		t.Errorf("eth0 set up %d times by the replay, want once", n)
	}
}
