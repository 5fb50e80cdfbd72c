package actors

import (
	"context"
	"slices"
	"testing"

	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/store"
)

// TestForward: a request goes through the IPC actor (package control), the
// manager and the interface actor, and back with its id; a wait that runs
// out is TIMEOUT, the transaction going on.
func TestForward(t *testing.T) {
	w := newWorld(t, "SELECT_WAIT=30\nOFFER_WAIT=0\nARP_PROBE=no\n")
	ctx := context.Background()
	r := control.Forward(ctx, w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 42,
		Command: ipc.CmdPing, Ifname: "eth0"})
	if r.ID != 42 || r.Version != ipc.Version || r.Error != ipc.ErrUnkIf {
		t.Fatalf("ping of an unmanaged interface = %+v, want UNKIF with id 42", r)
	}
	r = control.Forward(ctx, w.system.Root, w.ipc, ipc.Caller{UID: 1000}, &ipc.Request{Version: ipc.Version, ID: 43,
		Command: "nonsense"})
	if r.ID != 43 || r.Error != ipc.ErrInvalid {
		t.Fatalf("an unknown command = %+v, want INVALID with id 43", r)
	}
	wait := int64(1)
	r = control.Forward(ctx, w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 44,
		Command: ipc.CmdStart, Ifname: "eth0", WaitMs: &wait})
	if r.ID != 44 || r.Error != ipc.ErrTimeout {
		t.Fatalf("a start that waits 1 ms = %+v, want TIMEOUT with id 44", r)
	}
	if st := w.do(ipc.CmdStatus, "eth0").Status; st == nil || st.State != "INIT" || !contains(st.Flags, "BUSY") {
		t.Fatalf("status after the timed-out start = %+v, want INIT and BUSY (still starting)", st)
	}
}

// TestTimedOutStartIsRecorded: TIMEOUT ("still in progress") is answered
// only once the start has been taken and the interface recorded as
// managed, so a kill -9 right after the answer cannot lose it. A
// `start --wait 0` used to be answered at once, before the interface
// actor had even seen it.
func TestTimedOutStartIsRecorded(t *testing.T) {
	for i := range 20 {
		dir := t.TempDir()
		st, err := store.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := newWorldWith(t, "SELECT_WAIT=30\nOFFER_WAIT=0\nARP_PROBE=no\n", st, newKernel())
		wait := int64(0)
		r := control.Forward(context.Background(), w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version,
			ID: 7, Command: ipc.CmdStart, Ifname: "eth0", WaitMs: &wait})
		if r.Error != ipc.ErrTimeout {
			t.Fatalf("start --wait 0 = %+v, want TIMEOUT", r)
		}
		if m, err := st.Managed(); err != nil || !slices.Contains(m, "eth0") {
			t.Fatalf("try %d: answered TIMEOUT with the managed set %v (%v): a kill -9 now loses the start", i, m, err)
		}
		w.kill()
	}
}
