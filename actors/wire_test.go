package actors

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/google/go-cmp/cmp"
)

// TestFromWire: every command of the protocol but watch (served by the
// IPC server itself) has its typed request, and arguments are read once,
// here.
func TestFromWire(t *testing.T) {
	args := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	wait := int64(1500)
	forever := int64(-1)
	for _, tc := range []struct {
		req  ipc.Request
		want *messages.Command
	}{
		{ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", WaitMs: &wait,
			Args: args(ipc.ArgPrimary, "yes", ipc.ArgHostname, "h1", ipc.ArgTemporary, "no")},
			&messages.Command{Ifname: "eth0", Wait: 1500 * time.Millisecond, Req: messages.Start{Hostname: "h1", Primary: true}}},
		{ipc.Request{Command: ipc.CmdStart, WaitMs: &forever, Args: args(ipc.ArgTemporary, "yes")},
			&messages.Command{Wait: messages.Forever, Req: messages.Start{Temporary: true}}},
		{ipc.Request{Command: ipc.CmdDrop}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Drop{}}},
		{ipc.Request{Command: ipc.CmdRelease}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Drop{Release: true}}},
		{ipc.Request{Command: ipc.CmdExtend}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Extend{}}},
		{ipc.Request{Command: ipc.CmdInform}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Inform{}}},
		{ipc.Request{Command: ipc.CmdInform, Args: args(ipc.ArgAddress, "198.18.9.9/24")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.Inform{Addr: netip.MustParsePrefix("198.18.9.9/24")}}},
		{ipc.Request{Command: ipc.CmdPing}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Ping{}}},
		{ipc.Request{Command: ipc.CmdStatus}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Status{}}},
		{ipc.Request{Command: ipc.CmdInfo, Args: args(ipc.ArgOption, "Router")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.Info{Option: "Router"}}},
		{ipc.Request{Command: ipc.CmdVersion}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Version{}}},
		{ipc.Request{Command: ipc.CmdPanic}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Panic{}}},
		{ipc.Request{Command: ipc.CmdStats}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.Stats{}}},
		{ipc.Request{Command: ipc.CmdCreateIf, Ifname: "eth1", Args: args(ipc.ArgFamilies, "v4", ipc.ArgTemporary, "yes")},
			&messages.Command{Ifname: "eth1", Wait: ipc.DefaultWait, Req: messages.CreateIf{Families: "v4", Temporary: true}}},
		{ipc.Request{Command: ipc.CmdDeleteIf, Args: args(ipc.ArgFamilies, "v6")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.DeleteIf{Families: "v6"}}},
		{ipc.Request{Command: ipc.CmdEnableIf}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.EnableIf{}}},
		{ipc.Request{Command: ipc.CmdDisableIf}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.DisableIf{}}},
		{ipc.Request{Command: ipc.CmdShowIf}, &messages.Command{Wait: ipc.DefaultWait, Req: messages.ShowIf{}}},
		{ipc.Request{Command: ipc.CmdCreateAddr, Args: args(ipc.ArgObject, "eth0/d", ipc.ArgType, "dhcp",
			ipc.ArgHostname, "h", ipc.ArgPrimary, "yes", ipc.ArgTemporary, "yes", ipc.ArgAddress, "a")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.CreateAddr{Object: "eth0/d", Type: "dhcp",
				Address: "a", Hostname: "h", Primary: true, Temporary: true}}},
		{ipc.Request{Command: ipc.CmdDeleteAddr, Args: args(ipc.ArgObject, "eth0/d", ipc.ArgRelease, "yes")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.DeleteAddr{Object: "eth0/d", Release: true}}},
		{ipc.Request{Command: ipc.CmdRefreshAddr, Args: args(ipc.ArgObject, "eth0/s", ipc.ArgInform, "yes")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.RefreshAddr{Object: "eth0/s", Inform: true}}},
		{ipc.Request{Command: ipc.CmdShowAddr, Args: args(ipc.ArgObject, "eth0/")},
			&messages.Command{Wait: ipc.DefaultWait, Req: messages.ShowAddr{Object: "eth0/"}}},
	} {
		t.Run(tc.req.Command, func(t *testing.T) {
			cmd, ok := commands[tc.req.Command]
			if !ok {
				t.Fatalf("%s has no translation", tc.req.Command)
			}
			got, err := fromWire(&wireRequest{req: &tc.req}, cmd.parse)
			if err != nil {
				t.Fatal(err)
			}
			opt := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
			if diff := cmp.Diff(tc.want, got, opt, cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".answered"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := fromWire(&wireRequest{req: &ipc.Request{Command: ipc.CmdInform, Args: args(ipc.ArgAddress, "junk")}},
		commands[ipc.CmdInform].parse); err == nil {
		t.Error("inform of a junk address translated")
	}
	if _, ok := commands[ipc.CmdWatch]; ok {
		t.Error("watch is the IPC server's, yet translated")
	}
}

// TestWireStatus: a typed status is shown as SPEC §3 has it.
func TestWireStatus(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name string
		in   messages.IfStatus
		want ipc.Status
	}{
		{"idle", messages.IfStatus{Ifname: "eth0"}, ipc.Status{Ifname: "eth0", State: "INIT", Flags: []string{}, Warnings: []ipc.Warning{}, Refusals: []ipc.Refusal{}}},
		{"failed", messages.IfStatus{Ifname: "eth1", Failed: true},
			ipc.Status{Ifname: "eth1", State: "FAILED", Flags: []string{"FAILED"}, Warnings: []ipc.Warning{}, Refusals: []ipc.Refusal{}}},
		{"bound", messages.IfStatus{Ifname: "eth0", State: lease.Bound, Primary: true, Busy: true, BOOTP: true,
			Addr: netip.MustParsePrefix("198.18.0.100/24"), Server: netip.MustParseAddr("198.18.0.1"),
			Began: t0, T1: t0.Add(time.Minute), T2: t0.Add(2 * time.Minute),
			Counters: lease.Counters{Sent: 2, Received: 2, BadOffers: 1, Declined: 3},
			Refusals: []lease.Refusal{{At: t0, Reason: lease.ReasonBadRoute, Detail: "route"}}},
			ipc.Status{Ifname: "eth0", State: "BOUND", Flags: []string{"PRIMARY", "BUSY", "BOOTP"}, Warnings: []ipc.Warning{},
				Address: "198.18.0.100", Prefix: 24, Server: "198.18.0.1", Began: ptr(t0),
				T1: ptr(t0.Add(time.Minute)), T2: ptr(t0.Add(2 * time.Minute)),
				Sent: 2, Received: 2, BadOffers: 1, Declined: 3,
				Refusals: []ipc.Refusal{{Time: t0, Reason: "bad_route", Detail: "route"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, wireStatus(tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestForward: a request goes through the IPC actor and back with its id;
// a wait that runs out is TIMEOUT, the transaction going on.
func TestForward(t *testing.T) {
	w := newWorld(t, "SELECT_WAIT=30\nOFFER_WAIT=0\nARP_PROBE=no\n")
	ctx := context.Background()
	r := Forward(ctx, w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 42,
		Command: ipc.CmdPing, Ifname: "eth0"})
	if r.ID != 42 || r.Version != ipc.Version || r.Error != ipc.ErrUnkIf {
		t.Fatalf("ping of an unmanaged interface = %+v, want UNKIF with id 42", r)
	}
	r = Forward(ctx, w.system.Root, w.ipc, ipc.Caller{UID: 1000}, &ipc.Request{Version: ipc.Version, ID: 43,
		Command: "nonsense"})
	if r.ID != 43 || r.Error != ipc.ErrInvalid {
		t.Fatalf("an unknown command = %+v, want INVALID with id 43", r)
	}
	wait := int64(1)
	r = Forward(ctx, w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version, ID: 44,
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
		r := Forward(context.Background(), w.system.Root, w.ipc, ipc.Caller{}, &ipc.Request{Version: ipc.Version,
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
