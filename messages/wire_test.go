package messages

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
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
		want *Command
	}{
		{ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", WaitMs: &wait,
			Args: args(ipc.ArgPrimary, "yes", ipc.ArgHostname, "h1", ipc.ArgTemporary, "no")},
			&Command{Ifname: "eth0", Wait: 1500 * time.Millisecond, Req: Start{Hostname: "h1", Primary: true}}},
		{ipc.Request{Command: ipc.CmdStart, WaitMs: &forever, Args: args(ipc.ArgTemporary, "yes")},
			&Command{Wait: Forever, Req: Start{Temporary: true}}},
		{ipc.Request{Command: ipc.CmdDrop}, &Command{Wait: ipc.DefaultWait, Req: Drop{}}},
		{ipc.Request{Command: ipc.CmdRelease}, &Command{Wait: ipc.DefaultWait, Req: Drop{Release: true}}},
		{ipc.Request{Command: ipc.CmdExtend}, &Command{Wait: ipc.DefaultWait, Req: Extend{}}},
		{ipc.Request{Command: ipc.CmdInform}, &Command{Wait: ipc.DefaultWait, Req: Inform{}}},
		{ipc.Request{Command: ipc.CmdInform, Args: args(ipc.ArgAddress, "198.18.9.9/24")},
			&Command{Wait: ipc.DefaultWait, Req: Inform{Addr: netip.MustParsePrefix("198.18.9.9/24")}}},
		{ipc.Request{Command: ipc.CmdPing}, &Command{Wait: ipc.DefaultWait, Req: Ping{}}},
		{ipc.Request{Command: ipc.CmdStatus}, &Command{Wait: ipc.DefaultWait, Req: Status{}}},
		{ipc.Request{Command: ipc.CmdInfo, Args: args(ipc.ArgOption, "Router")},
			&Command{Wait: ipc.DefaultWait, Req: Info{Option: "Router"}}},
		{ipc.Request{Command: ipc.CmdVersion}, &Command{Wait: ipc.DefaultWait, Req: Version{}}},
		{ipc.Request{Command: ipc.CmdPanic}, &Command{Wait: ipc.DefaultWait, Req: Panic{}}},
		{ipc.Request{Command: ipc.CmdStats}, &Command{Wait: ipc.DefaultWait, Req: Stats{}}},
		{ipc.Request{Command: ipc.CmdCreateIf, Ifname: "eth1", Args: args(ipc.ArgFamilies, "v4", ipc.ArgTemporary, "yes")},
			&Command{Ifname: "eth1", Wait: ipc.DefaultWait, Req: CreateIf{Families: "v4", Temporary: true}}},
		{ipc.Request{Command: ipc.CmdDeleteIf, Args: args(ipc.ArgFamilies, "v6")},
			&Command{Wait: ipc.DefaultWait, Req: DeleteIf{Families: "v6"}}},
		{ipc.Request{Command: ipc.CmdEnableIf}, &Command{Wait: ipc.DefaultWait, Req: EnableIf{}}},
		{ipc.Request{Command: ipc.CmdDisableIf}, &Command{Wait: ipc.DefaultWait, Req: DisableIf{}}},
		{ipc.Request{Command: ipc.CmdShowIf}, &Command{Wait: ipc.DefaultWait, Req: ShowIf{}}},
		{ipc.Request{Command: ipc.CmdCreateAddr, Args: args(ipc.ArgObject, "eth0/d", ipc.ArgType, "dhcp",
			ipc.ArgHostname, "h", ipc.ArgPrimary, "yes", ipc.ArgTemporary, "yes", ipc.ArgAddress, "a")},
			&Command{Wait: ipc.DefaultWait, Req: CreateAddr{Object: "eth0/d", Type: "dhcp",
				Address: "a", Hostname: "h", Primary: true, Temporary: true}}},
		{ipc.Request{Command: ipc.CmdDeleteAddr, Args: args(ipc.ArgObject, "eth0/d", ipc.ArgRelease, "yes")},
			&Command{Wait: ipc.DefaultWait, Req: DeleteAddr{Object: "eth0/d", Release: true}}},
		{ipc.Request{Command: ipc.CmdRefreshAddr, Args: args(ipc.ArgObject, "eth0/s", ipc.ArgInform, "yes")},
			&Command{Wait: ipc.DefaultWait, Req: RefreshAddr{Object: "eth0/s", Inform: true}}},
		{ipc.Request{Command: ipc.CmdShowAddr, Args: args(ipc.ArgObject, "eth0/")},
			&Command{Wait: ipc.DefaultWait, Req: ShowAddr{Object: "eth0/"}}},
	} {
		t.Run(tc.req.Command, func(t *testing.T) {
			got, fail := FromWire(&tc.req, true)
			if fail != nil {
				t.Fatal(fail.Code, fail.Message)
			}
			opt := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
			if diff := cmp.Diff(tc.want, got, opt, cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".answered"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, tc := range []struct {
		name       string
		req        ipc.Request
		privileged bool
		want       ipc.Code
	}{
		{"junk inform address", ipc.Request{Command: ipc.CmdInform, Args: args(ipc.ArgAddress, "junk")}, true, ipc.ErrInvalid},
		{"watch is the server's", ipc.Request{Command: ipc.CmdWatch}, true, ipc.ErrInvalid},
		{"unknown", ipc.Request{Command: "nonsense"}, true, ipc.ErrInvalid},
		{"unknown before privilege", ipc.Request{Command: "nonsense"}, false, ipc.ErrInvalid},
		{"unprivileged start", ipc.Request{Command: ipc.CmdStart}, false, ipc.ErrPerm},
		{"privilege before arguments", ipc.Request{Command: ipc.CmdInform, Args: args(ipc.ArgAddress, "junk")}, false, ipc.ErrPerm},
		{"unprivileged create-addr", ipc.Request{Command: ipc.CmdCreateAddr}, false, ipc.ErrPerm},
	} {
		if c, fail := FromWire(&tc.req, tc.privileged); fail == nil || fail.Code != tc.want {
			t.Errorf("%s: FromWire = %+v, %+v, want %s", tc.name, c, fail, tc.want)
		}
	}
	for _, cmd := range []string{ipc.CmdStatus, ipc.CmdPing, ipc.CmdInfo, ipc.CmdVersion, ipc.CmdStats, ipc.CmdShowIf, ipc.CmdShowAddr} {
		if _, fail := FromWire(&ipc.Request{Command: cmd}, false); fail != nil {
			t.Errorf("unprivileged %s = %+v, want it taken (anyone may ask)", cmd, fail)
		}
	}
}

// TestWireStatus: a typed status is shown as SPEC §3 has it.
func TestWireStatus(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name string
		in   IfStatus
		want ipc.Status
	}{
		{"idle", IfStatus{Ifname: "eth0"}, ipc.Status{Ifname: "eth0", State: "INIT", Flags: []string{}, Warnings: []ipc.Warning{}, Refusals: []ipc.Refusal{}}},
		{"failed", IfStatus{Ifname: "eth1", Failed: true},
			ipc.Status{Ifname: "eth1", State: "FAILED", Flags: []string{"FAILED"}, Warnings: []ipc.Warning{}, Refusals: []ipc.Refusal{}}},
		{"bound", IfStatus{Ifname: "eth0", State: lease.Bound, Primary: true, Busy: true, BOOTP: true,
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
			if diff := cmp.Diff(tc.want, tc.in.Wire()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestToWire: a result keeps the request's id, its code and message, info's
// bytes in hex, and a status list that is empty rather than absent when
// asked for and there is none.
func TestToWire(t *testing.T) {
	req := &ipc.Request{Version: ipc.Version, ID: 9, Command: ipc.CmdInfo}
	for _, tc := range []struct {
		name string
		in   *Result
		want *ipc.Reply
	}{
		{"failure", Fail(ipc.ErrPend, "eth0: %s", "busy"), &ipc.Reply{Version: ipc.Version, ID: 9, Error: ipc.ErrPend, Message: "eth0: busy"}},
		{"info", &Result{Values: []string{"198.18.0.1"}, Raw: []byte{198, 18, 0, 1}},
			&ipc.Reply{Version: ipc.Version, ID: 9, Values: []string{"198.18.0.1"}, Raw: "c6120001"}},
		{"no statuses", &Result{Statuses: []IfStatus{}}, &ipc.Reply{Version: ipc.Version, ID: 9, Statuses: []ipc.Status{}}},
		{"rows", &Result{Interfaces: []IfRow{{Ifname: "eth0", State: "ok"}}, Addresses: []AddrRow{{Addrobj: "eth0/d", Type: "dhcp"}}},
			&ipc.Reply{Version: ipc.Version, ID: 9, Interfaces: []ipc.IfInfo{{Ifname: "eth0", State: "ok"}},
				Addresses: []ipc.AddrInfo{{Addrobj: "eth0/d", Type: "dhcp"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ToWire(req, tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestEventWire: watch's events name states and hook events as SPEC §3
// does, without monotonic readings.
func TestEventWire(t *testing.T) {
	t0 := time.Now() // with a monotonic reading, as the actors' clock gives
	l := &lease.Lease{Addr: netip.MustParsePrefix("198.18.0.100/24")}
	c := lease.Counters{Sent: 3, Received: 2, Declined: 1}
	wall := t0.Round(0)
	until := wall.Add(300 * time.Second)
	for _, tc := range []struct {
		name string
		in   Event
		want *ipc.Event
	}{
		{"state", Event{Ifname: "eth0", Time: t0, From: lease.Requesting, To: lease.Bound, Counters: c, Lease: l},
			&ipc.Event{Time: wall, Ifname: "eth0", Kind: "state", State: "BOUND", From: "REQUESTING",
				Address: "198.18.0.100", Sent: 3, Received: 2, Declined: 1}},
		{"v6only", Event{Ifname: "eth0", Time: t0, From: lease.Selecting, To: lease.V6Only, Until: until},
			&ipc.Event{Time: wall, Ifname: "eth0", Kind: "state", State: "V6ONLY", From: "SELECTING",
				Until: &until}},
		{"hook", Event{Ifname: "eth1", Time: t0, Hook: lease.EventBound, To: lease.Bound, Lease: l},
			&ipc.Event{Time: wall, Ifname: "eth1", Kind: "event", State: "BOUND", Event: "BOUND", Address: "198.18.0.100"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in.Wire()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.Time != got.Time.Round(0) {
				t.Error("the event's time keeps its monotonic reading")
			}
		})
	}
}

// TestEventOf: a state change's event and a hook event's carry the
// machine's status after them (state, counters, lease), and only entering
// V6ONLY says when DHCPv4 resumes.
func TestEventOf(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := &lease.Lease{Addr: netip.MustParsePrefix("198.18.0.100/24")}
	c := lease.Counters{Sent: 3, Received: 2}
	until := t0.Add(300 * time.Second)
	st := lease.Status{State: lease.Bound, Lease: l, Counters: c, V6OnlyUntil: until}
	for _, tc := range []struct {
		name      string
		got, want Event
	}{
		{"state", TransitionOf("eth0", t0, lease.Transition{From: lease.Requesting, To: lease.Bound}, st),
			Event{Ifname: "eth0", Time: t0, From: lease.Requesting, To: lease.Bound, Counters: c, Lease: l}},
		{"v6only", TransitionOf("eth0", t0, lease.Transition{From: lease.Selecting, To: lease.V6Only},
			lease.Status{State: lease.V6Only, V6OnlyUntil: until}),
			Event{Ifname: "eth0", Time: t0, From: lease.Selecting, To: lease.V6Only, Until: until}},
		{"hook", HookEventOf("eth1", t0, lease.EventBound, st),
			Event{Ifname: "eth1", Time: t0, Hook: lease.EventBound, To: lease.Bound, Counters: c, Lease: l}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want { // the same lease, not a copy
				t.Errorf("got %+v\nwant %+v", tc.got, tc.want)
			}
		})
	}
}

// TestOpOf: each interface command is the machine's command of its name;
// nothing else is one.
func TestOpOf(t *testing.T) {
	for _, tc := range []struct {
		req Request
		op  lease.Op
		ok  bool
	}{
		{Start{Primary: true}, lease.OpStart, true}, {Extend{}, lease.OpExtend, true},
		{Drop{}, lease.OpDrop, true}, {Drop{Release: true}, lease.OpRelease, true},
		{Inform{}, lease.OpInform, true}, {Ping{}, lease.OpPing, true},
		{Status{}, lease.OpStatus, true}, {Info{Option: "1"}, lease.OpInfo, true},
		{Panic{}, 0, false}, {Stats{}, 0, false}, {Version{}, 0, false}, {CreateIf{}, 0, false}, {ShowAddr{}, 0, false},
	} {
		if op, ok := OpOf(tc.req); op != tc.op || ok != tc.ok {
			t.Errorf("OpOf(%T) = %v, %v; want %v, %v", tc.req, op, ok, tc.op, tc.ok)
		}
	}
}

// TestCommandOf: the machine's command carries the op and what the
// request says, nothing the actor adds.
func TestCommandOf(t *testing.T) {
	addr := netip.MustParsePrefix("198.18.0.5/24")
	for _, tc := range []struct {
		req  Request
		want lease.Command
		ok   bool
	}{
		{Start{Hostname: "h", Boot: true, Primary: true, Temporary: true},
			lease.Command{Op: lease.OpStart, Hostname: "h", Boot: true}, true},
		{Inform{Addr: addr}, lease.Command{Op: lease.OpInform, Addr: addr}, true},
		{Inform{}, lease.Command{Op: lease.OpInform}, true},
		{Info{Option: "vendor:2"}, lease.Command{Op: lease.OpInfo, Option: "vendor:2"}, true},
		{Drop{Release: true}, lease.Command{Op: lease.OpRelease}, true},
		{Version{}, lease.Command{}, false},
	} {
		if got, ok := CommandOf(tc.req); got != tc.want || ok != tc.ok {
			t.Errorf("CommandOf(%+v) = %+v, %v; want %+v, %v", tc.req, got, ok, tc.want, tc.ok)
		}
	}
}

// TestResultOf: the machine's failure keeps its code and says which
// interface; success carries info's values, and the status only when the
// reply asks for it.
func TestResultOf(t *testing.T) {
	calls := 0
	status := func() IfStatus { calls++; return IfStatus{Ifname: "eth0", State: lease.Bound} }
	r := ResultOf("eth0", lease.Reply{Code: lease.CodePend, Reason: "another command is in progress"}, status)
	if r.Code != ipc.ErrPend || r.Message != "eth0: another command is in progress" || r.Status != nil {
		t.Errorf("PEND = %+v", r)
	}
	r = ResultOf("eth0", lease.Reply{Values: []string{"x"}, Raw: []byte{1}}, status)
	if r.Failed() || r.Status != nil || !cmp.Equal(r.Values, []string{"x"}) || !cmp.Equal(r.Raw, []byte{1}) || calls != 0 {
		t.Errorf("info = %+v (status asked %d times)", r, calls)
	}
	r = ResultOf("eth0", lease.Reply{Status: true}, status)
	if r.Failed() || r.Status == nil || r.Status.State != lease.Bound || calls != 1 {
		t.Errorf("start = %+v (status asked %d times)", r, calls)
	}
	for _, c := range []lease.Code{lease.CodeOutState, lease.CodeRunning, lease.CodePend, lease.CodeBOOTP,
		lease.CodeTimeout, lease.CodeShutdown, lease.CodeInvalid, lease.CodeUnkIf, lease.CodeFailedIf} {
		if !slices.Contains(ipc.Codes, ipc.Code(c)) {
			t.Errorf("the machine's %s is no code of the wire's", c)
		}
	}
}
