package actors

import (
	"net/netip"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/google/go-cmp/cmp"
)

// An admin actor that panics during the SIGTERM drain, while the removal
// of the temporary static addresses waits behind the running job: the
// restarted actor still removes them (their configuration dies with the
// agent, SPEC §4) and only then answers the shutdown, and it configures
// nothing new (SHUTDOWN). Before, the restart answered the shutdown OK
// at once and the -t address stayed on eth1 after the agent.
func TestAdminPanicDuringShutdownRemovesTemporary(t *testing.T) {
	w := newWorld(t, fast)
	w.panickyAdmin()
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/t", ipc.ArgType, "static",
		ipc.ArgAddress, "198.18.8.8/24", ipc.ArgTemporary, "yes"); r.Error != "" {
		t.Fatalf("create-addr -t = %+v", r)
	}
	running, queued, release := w.runningAndQueued()
	defer release()
	done := w.stopAdmin(queued)
	w.system.Root.Send(w.admin, adminPanic{})
	release()
	if r := w.await(running); r.Error != "" {
		t.Errorf("the command running at SIGTERM = %+v, want OK", r)
	}
	select {
	case r := <-done:
		if r.Failed() {
			t.Errorf("shutdown = %+v, want OK", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown never answered")
	}
	_, removed := w.net.Snapshot()
	want := []kernel.AddrConfig{{Ifindex: 3, Addr: netip.MustParsePrefix("198.18.8.8/24")}}
	if diff := cmp.Diff(want, removed, cmpNetip); diff != "" {
		t.Errorf("removed by the time the shutdown is answered (-want +got):\n%s", diff)
	}
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/s", ipc.ArgType, "static",
		ipc.ArgAddress, "198.18.7.7/24"); r.Error != ipc.ErrShutdown {
		t.Errorf("create-addr after the shutdown and the restart = %+v, want SHUTDOWN", r)
	}
	if applied, _ := w.net.Snapshot(); len(applied) != 1 {
		t.Errorf("applied %v, want the -t address only (nothing after SIGTERM)", applied)
	}
}

// When the admin actor stops for good (its supervisor gives up on it
// after too many restarts, or it is stopped), what it holds is answered
// INTERNAL: the command queued, and a shutdown whose removals waited
// behind the running job (nobody is left to carry them out, and the
// agent's stop would wait its whole bound for the answer). The running
// one finishes and is answered. Before, both waited for ever.
func TestAdminStoppedAnswersWhatItHolds(t *testing.T) {
	w := newWorld(t, fast)
	running, queued, release := w.runningAndQueued()
	defer release()
	if err := w.system.Root.StopFuture(w.admin).Wait(); err != nil {
		t.Fatal(err)
	}
	if r := w.await(queued); r.Error != ipc.ErrInternal {
		t.Errorf("a command queued as the admin actor stopped = %+v, want INTERNAL", r)
	}
	release()
	if r := w.await(running); r.Error != "" {
		t.Errorf("the running command = %+v, want OK", r)
	}

	w = newWorld(t, fast)
	running, queued, release2 := w.runningAndQueued()
	defer release2()
	done := w.stopAdmin(queued)
	if err := w.system.Root.StopFuture(w.admin).Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.Code != ipc.ErrInternal {
			t.Errorf("shutdown pending as the admin actor stopped = %+v, want INTERNAL", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown pending as the admin actor stopped never answered")
	}
	release2()
	w.await(running) // its write done before the state dir goes
}
