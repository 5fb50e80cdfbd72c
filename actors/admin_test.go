package actors

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// adm sends an administrative command with args as uid 0.
func (w *world) adm(command, ifname string, args ...string) *ipc.Reply {
	w.t.Helper()
	req := &ipc.Request{Command: command, Ifname: ifname, Args: map[string]string{}}
	for i := 0; i+1 < len(args); i += 2 {
		req.Args[args[i]] = args[i+1]
	}
	return w.await(w.askReq(req))
}

func (w *world) showIf() []string {
	w.t.Helper()
	var out []string
	for _, i := range w.adm(ipc.CmdShowIf, "").Interfaces {
		out = append(out, i.Ifname+" "+i.State+" "+i.Current+" "+i.Persistent)
	}
	return out
}

func (w *world) showAddr() []string {
	w.t.Helper()
	var out []string
	for _, a := range w.adm(ipc.CmdShowAddr, "").Addresses {
		out = append(out, a.Addrobj+" "+a.Type+" "+a.State+" "+a.Current+a.Persistent+" "+a.Addr)
	}
	return out
}

func TestCreateIfErrors(t *testing.T) {
	w := newWorld(t, fast)
	for _, tc := range []struct {
		ifname string
		args   []string
		want   ipc.Code
	}{
		{"eth0", nil, ""},
		{"eth0", nil, ipc.ErrExists},
		{"nope0", nil, ipc.ErrNoLink},
		{"a/b", nil, ipc.ErrInvalid},
		{"sixteen-chars-xx", nil, ipc.ErrInvalid},
		{"eth1", []string{ipc.ArgFamilies, "v5"}, ipc.ErrInvalid},
	} {
		if r := w.adm(ipc.CmdCreateIf, tc.ifname, tc.args...); r.Error != tc.want {
			t.Errorf("create-if %q %v = %q %s, want %q", tc.ifname, tc.args, r.Error, r.Message, tc.want)
		}
	}
	if !w.up("eth0") {
		t.Error("create-if left the link down")
	}
	if diff := cmp.Diff([]string{"eth0 ok bm--46 46"}, w.showIf()); diff != "" {
		t.Errorf("show-if (-want +got):\n%s", diff)
	}
}

func TestStaticAddressExact(t *testing.T) {
	w := newWorld(t, fast)
	obj := []string{ipc.ArgObject, "eth0/s1", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24"}
	if r := w.adm(ipc.CmdCreateAddr, "", obj...); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	if r := w.adm(ipc.CmdCreateAddr, "", obj...); r.Error != ipc.ErrExists {
		t.Fatalf("again = %+v, want EXISTS", r)
	}
	want := kernel.AddrConfig{Ifindex: 2, Addr: netip.MustParsePrefix("198.18.9.9/24")}
	if diff := cmp.Diff([]string{"eth0/s1 static ok UU 198.18.9.9/24"}, w.showAddr()); diff != "" {
		t.Errorf("show-addr (-want +got):\n%s", diff)
	}
	if r := w.adm(ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth0/s1"); r.Error != "" {
		t.Fatalf("delete-addr = %+v", r)
	}
	applied, removed := w.net.Snapshot()
	if diff := cmp.Diff([]kernel.AddrConfig{want}, applied, cmpNetip); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]kernel.AddrConfig{want}, removed, cmpNetip); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		args []string
		want ipc.Code
	}{
		{[]string{ipc.ArgObject, "eth0/s1"}, ipc.ErrNotFound},
		{[]string{ipc.ArgObject, "eth0/bad-name", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24"}, ipc.ErrInvalid},
		{[]string{ipc.ArgObject, "eth0/x", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9"}, ipc.ErrInvalid},
		{[]string{ipc.ArgObject, "eth0/x", ipc.ArgType, "bogus"}, ipc.ErrInvalid},
		{[]string{ipc.ArgObject, "nope0/x", ipc.ArgType, "dhcp"}, ipc.ErrNoLink},
	} {
		cmd := ipc.CmdCreateAddr
		if len(tc.args) == 2 {
			cmd = ipc.CmdDeleteAddr
		}
		if r := w.adm(cmd, "", tc.args...); r.Error != tc.want {
			t.Errorf("%s %v = %q %s, want %q", cmd, tc.args, r.Error, r.Message, tc.want)
		}
	}
}

func TestDHCPAddressObject(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth0/d",
		ipc.ArgType: "dhcp", ipc.ArgHostname: "node9"}})
	d := w.send.next(t)
	if d.msg.HostName() != "node9" {
		t.Errorf("DISCOVER host name %q, want node9 (-h)", d.msg.HostName())
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch); rep.Error != "" || rep.Status == nil || rep.Status.State != "BOUND" {
		t.Fatalf("create-addr -T dhcp = %+v", rep)
	}
	if diff := cmp.Diff([]string{"eth0/d dhcp ok UU 198.18.0.100/24"}, w.showAddr()); diff != "" {
		t.Errorf("show-addr (-want +got):\n%s", diff)
	}
	if rep := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/d2", ipc.ArgType, "dhcp"); rep.Error != ipc.ErrExists {
		t.Errorf("a second DHCP object = %+v, want EXISTS", rep)
	}
	// delete-addr -r releases.
	if rep := w.adm(ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth0/d", ipc.ArgRelease, "yes"); rep.Error != "" {
		t.Fatalf("delete-addr -r = %+v", rep)
	}
	expectType(t, w.send.next(t), dhcpv4.MessageTypeRelease)
	if got := w.showAddr(); len(got) != 0 {
		t.Errorf("show-addr after delete = %v", got)
	}
}

func TestPersistentReplayAndTemporary(t *testing.T) {
	w := newWorld(t, fast)
	w.adm(ipc.CmdCreateIf, "eth0")
	w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24")
	w.adm(ipc.CmdCreateIf, "eth1", ipc.ArgTemporary, "yes")
	w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/t", ipc.ArgType, "static", ipc.ArgAddress, "198.18.8.8/24",
		ipc.ArgTemporary, "yes")
	w.kill()

	w2 := newWorldWith(t, fast, w.store, newKernel())
	if diff := cmp.Diff([]string{"eth0 ok bm--46 46"}, w2.showIf()); diff != "" {
		t.Errorf("show-if after restart (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eth0/s static ok UU 198.18.9.9/24"}, w2.showAddr()); diff != "" {
		t.Errorf("show-addr after restart (-want +got):\n%s", diff)
	}
	// disable-if: active gone, persistent kept; create-if says DISABLED_OBJ.
	if r := w2.adm(ipc.CmdDisableIf, "eth0"); r.Error != "" {
		t.Fatalf("disable-if = %+v", r)
	}
	if diff := cmp.Diff([]string{"eth0 disabled ------ 46"}, w2.showIf()); diff != "" {
		t.Errorf("show-if disabled (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eth0/s static disabled -U 198.18.9.9/24"}, w2.showAddr()); diff != "" {
		t.Errorf("show-addr disabled (-want +got):\n%s", diff)
	}
	if r := w2.adm(ipc.CmdCreateIf, "eth0"); r.Error != ipc.ErrDisabled {
		t.Errorf("create-if of a disabled interface = %+v, want DISABLED_OBJ", r)
	}
	if r := w2.adm(ipc.CmdEnableIf, "eth0"); r.Error != "" {
		t.Fatalf("enable-if = %+v", r)
	}
	if diff := cmp.Diff([]string{"eth0/s static ok UU 198.18.9.9/24"}, w2.showAddr()); diff != "" {
		t.Errorf("show-addr re-enabled (-want +got):\n%s", diff)
	}
	// delete-if: gone from both, and from the store.
	if r := w2.adm(ipc.CmdDeleteIf, "eth0"); r.Error != "" {
		t.Fatalf("delete-if = %+v", r)
	}
	if r := w2.adm(ipc.CmdDeleteIf, "eth0"); r.Error != ipc.ErrNotFound {
		t.Errorf("delete-if again = %+v, want NOTFOUND", r)
	}
	if got := w2.showIf(); len(got) != 0 {
		t.Errorf("show-if after delete-if = %v", got)
	}
	if c, _ := w2.store.LoadIPAdm(); len(c.Interfaces)+len(c.Addresses) != 0 {
		t.Errorf("store after delete-if = %+v", c)
	}
}

func TestAdminIsPrivileged(t *testing.T) {
	w := newWorld(t, fast)
	for _, cmd := range []string{ipc.CmdCreateIf, ipc.CmdDeleteIf, ipc.CmdEnableIf, ipc.CmdDisableIf,
		ipc.CmdCreateAddr, ipc.CmdDeleteAddr, ipc.CmdRefreshAddr} {
		if r := w.await(w.ask(1000, cmd, "eth0")); r.Error != ipc.ErrPerm {
			t.Errorf("%s as uid 1000 = %+v, want PERM", cmd, r)
		}
	}
	for _, cmd := range []string{ipc.CmdShowIf, ipc.CmdShowAddr} {
		if r := w.await(w.ask(1000, cmd, "")); r.Error != "" {
			t.Errorf("%s as uid 1000 = %+v", cmd, r)
		}
	}
	if got := w.showIf(); len(got) != 0 {
		t.Errorf("an unprivileged command changed something: %v", got)
	}
}

// TestShowAddrSelection: show-addr takes one object, or IF/ for every object
// of an interface, as ipadm does.
func TestShowAddrSelection(t *testing.T) {
	w := newWorld(t, fast)
	for _, o := range [][2]string{{"eth0/a", "198.18.9.1/24"}, {"eth0/b", "198.18.9.2/24"}, {"eth1/a", "198.18.10.1/24"}} {
		if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, o[0], ipc.ArgType, "static", ipc.ArgAddress, o[1]); r.Error != "" {
			t.Fatalf("create-addr %s = %+v", o[0], r)
		}
	}
	objs := func(r *ipc.Reply) []string {
		var out []string
		for _, a := range r.Addresses {
			out = append(out, a.Addrobj)
		}
		return out
	}
	for _, tc := range []struct {
		want   string
		objs   []string
		failed ipc.Code
	}{
		{"eth0/", []string{"eth0/a", "eth0/b"}, ""},
		{"eth1/a", []string{"eth1/a"}, ""},
		{"eth0/c", nil, ipc.ErrNotFound},
		{"eth2/", nil, ipc.ErrNotFound},
		{"eth0", nil, ipc.ErrInvalid},
		{"a:b/", nil, ipc.ErrInvalid},
	} {
		r := w.adm(ipc.CmdShowAddr, "", ipc.ArgObject, tc.want)
		if r.Error != tc.failed {
			t.Errorf("show-addr %s = %q %s, want %q", tc.want, r.Error, r.Message, tc.failed)
			continue
		}
		if diff := cmp.Diff(tc.objs, objs(r)); diff != "" {
			t.Errorf("show-addr %s (-want +got):\n%s", tc.want, diff)
		}
	}
}

// TestTemporaryObjectsEndWithTheAgent: at shutdown a temporary static
// address leaves the kernel and a persistent one stays; a temporary DHCP
// object does not put its interface under management for the next agent.
func TestTemporaryObjectsEndWithTheAgent(t *testing.T) {
	w := newWorld(t, fast)
	w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24")
	w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/t", ipc.ArgType, "static", ipc.ArgAddress, "198.18.8.8/24",
		ipc.ArgTemporary, "yes")
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth1/d",
		ipc.ArgType: "dhcp", ipc.ArgTemporary: "yes"}})
	if rep := w.grant(ch, 120); rep.Error != "" {
		t.Fatalf("create-addr -t -T dhcp = %+v", rep)
	}
	if m, err := w.store.Managed(); err != nil || len(m) != 0 {
		t.Errorf("managed interfaces %v, %v; want none (the DHCP object is temporary)", m, err)
	}

	w.shutdown(w.admin, false)
	_, removed := w.net.Snapshot()
	want := []kernel.AddrConfig{{Ifindex: 2, Addr: netip.MustParsePrefix("198.18.8.8/24")}}
	if diff := cmp.Diff(want, removed, cmpNetip); diff != "" {
		t.Errorf("removed at shutdown (-want +got):\n%s", diff)
	}
}

// Interface objects are per address family (illumos): v4 then v6 adds v6;
// deleting a v4-only object leaves IPv6 alone; the loopback stays up.
func TestInterfaceFamilies(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateIf, "eth0", ipc.ArgFamilies, "v4"); r.Error != "" {
		t.Fatalf("create-if -f v4 = %+v", r)
	}
	if _, set := w.net.IPv6("eth0"); set {
		t.Error("create-if -f v4 touched IPv6")
	}
	if r := w.adm(ipc.CmdCreateIf, "eth0", ipc.ArgFamilies, "v6"); r.Error != "" {
		t.Fatalf("create-if -f v6 after -f v4 = %+v, want OK", r)
	}
	if on, _ := w.net.IPv6("eth0"); !on {
		t.Error("create-if -f v6 left IPv6 off")
	}
	if r := w.adm(ipc.CmdCreateIf, "eth0", ipc.ArgFamilies, "v4"); r.Error != ipc.ErrExists {
		t.Errorf("create-if -f v4 again = %+v, want EXISTS", r)
	}
	if diff := cmp.Diff([]string{"eth0 ok bm--46 46"}, w.showIf()); diff != "" {
		t.Errorf("show-if (-want +got):\n%s", diff)
	}

	if r := w.adm(ipc.CmdCreateIf, "eth1", ipc.ArgFamilies, "v4"); r.Error != "" {
		t.Fatalf("create-if eth1 -f v4 = %+v", r)
	}
	if r := w.adm(ipc.CmdDeleteIf, "eth1"); r.Error != "" {
		t.Fatalf("delete-if eth1 = %+v", r)
	}
	if _, set := w.net.IPv6("eth1"); set {
		t.Error("delete-if of a v4-only object set disable_ipv6")
	}

	if r := w.adm(ipc.CmdCreateIf, "lo"); r.Error != "" {
		t.Fatalf("create-if lo = %+v", r)
	}
	if r := w.adm(ipc.CmdDeleteIf, "lo", ipc.ArgFamilies, "v6"); r.Error != "" {
		t.Fatalf("delete-if -f v6 lo = %+v", r)
	}
	if on, _ := w.net.IPv6("lo"); !on {
		t.Error("delete-if -f v6 lo disabled IPv6 on the loopback")
	}
	if r := w.adm(ipc.CmdDeleteIf, "lo"); r.Error != "" {
		t.Fatalf("delete-if lo = %+v", r)
	}
	if !w.up("lo") {
		t.Error("delete-if lo took the loopback down")
	}
	if on, _ := w.net.IPv6("lo"); !on {
		t.Error("delete-if lo disabled IPv6 on the loopback")
	}
}

// A failed step answers its error and commits nothing the kernel or the
// store did not get: a refused SetUp leaves no interface object; a failed
// ipadm.json write answers INTERNAL and leaves the interface active (the
// kernel has it) but not persistent; a refused address leaves the object
// out.
func TestAdminFailedStepsCommitWhatTheKernelGot(t *testing.T) {
	w := newWorld(t, fast)
	refused := errors.New("operation not permitted")
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "SetUp" || c.Op == "Apply" && c.Ifindex == 3 {
			return refused
		}
		return nil
	})
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != ipc.ErrInternal {
		t.Errorf("create-if with SetUp refused = %+v, want INTERNAL", r)
	}
	if got := w.showIf(); len(got) != 0 {
		t.Errorf("show-if after a refused plumb = %v, want nothing", got)
	}
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Apply" && c.Ifindex == 3 {
			return refused
		}
		return nil
	})
	w.disk.failIPAdm(errors.New("no space left on device"))
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != ipc.ErrInternal {
		t.Errorf("create-if with the write failing = %+v, want INTERNAL", r)
	}
	if diff := cmp.Diff([]string{"eth0 ok bm--46 --"}, w.showIf()); diff != "" {
		t.Errorf("show-if after a failed write (-want +got):\n%s", diff)
	}
	w.disk.failIPAdm(nil)
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24"); r.Error != ipc.ErrInternal {
		t.Errorf("create-addr with the address refused = %+v, want INTERNAL", r)
	}
	if got := w.showAddr(); len(got) != 0 {
		t.Errorf("show-addr after a refused address = %v, want nothing", got)
	}
	if c, err := w.store.LoadIPAdm(); err != nil || len(c.Addresses) != 0 || len(c.Interfaces) != 0 {
		t.Errorf("ipadm.json = %+v, %v; want nothing persisted", c, err)
	}
}

// runningAndQueued has create-if eth0 running, held in its ipadm.json
// write until release, and create-if eth1 waiting in the admin actor's
// queue behind it.
func (w *world) runningAndQueued() (running, queued <-chan *ipc.Reply, release func()) {
	w.t.Helper()
	asked, release := w.disk.hold("ipadm.json")
	running = w.askReq(&ipc.Request{Command: ipc.CmdCreateIf, Ifname: "eth0", Args: map[string]string{}})
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		release()
		w.t.Fatal("create-if eth0 never wrote ipadm.json")
	}
	queued = w.askReq(&ipc.Request{Command: ipc.CmdCreateIf, Ifname: "eth1", Args: map[string]string{}})
	w.showIf() // answered once the admin actor has queued create-if eth1
	return running, queued, release
}

// stopAdmin sends the admin actor SIGTERM's Shutdown and checks that
// queued, a command waiting behind the running one, is answered SHUTDOWN
// at once; the shutdown's answer comes on done.
func (w *world) stopAdmin(queued <-chan *ipc.Reply) (done <-chan *messages.Result) {
	w.t.Helper()
	reply := make(chan *messages.Result, 1)
	w.system.Root.Send(w.admin, &messages.Shutdown{Reply: reply})
	if r := w.await(queued); r.Error != ipc.ErrShutdown {
		w.t.Errorf("a command queued at SIGTERM = %+v, want SHUTDOWN", r)
	}
	return reply
}

// At SIGTERM the commands waiting behind the running one answer SHUTDOWN
// at once and configure nothing; the running one finishes, then the
// shutdown is answered.
func TestAdminShutdownAnswersQueued(t *testing.T) {
	w := newWorld(t, fast)
	running, queued, release := w.runningAndQueued()
	defer release()
	done := w.stopAdmin(queued)
	select {
	case <-done:
		t.Fatal("shutdown answered while a command still runs")
	default:
	}
	release()
	if r := w.await(running); r.Error != "" {
		t.Errorf("the command running at SIGTERM = %+v, want OK", r)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown never answered")
	}
	if w.up("eth1") {
		t.Error("the command answered SHUTDOWN brought eth1 up")
	}
}

// delete-if sets the link down even when the kernel refuses to turn IPv6
// off; the object is gone either way (a removal that failed still
// removes), and the answer is OK.
func TestDeleteIfRefusedIPv6StillSetsDown(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != "" {
		t.Fatalf("create-if = %+v", r)
	}
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "SetIPv6" {
			return errors.New("read-only file system")
		}
		return nil
	})
	if r := w.adm(ipc.CmdDeleteIf, "eth0"); r.Error != "" {
		t.Fatalf("delete-if = %+v", r)
	}
	if w.up("eth0") {
		t.Error("delete-if left the link up after IPv6 could not be turned off")
	}
	if got := w.showIf(); len(got) != 0 {
		t.Errorf("show-if after delete-if = %v", got)
	}
}

// When the admin actor restarts, the commands waiting in its queue are
// answered (a restart drops the actor's state) and never run.
func TestAdminRestartAnswersQueued(t *testing.T) {
	w := newWorld(t, fast)
	running, queued, release := w.runningAndQueued()
	defer release()
	w.system.Root.Send(w.admin, &actor.Restarting{}) // what the actor sees as it restarts
	if r := w.await(queued); r.Error != ipc.ErrInternal {
		t.Errorf("a command queued at a restart = %+v, want INTERNAL", r)
	}
	release()
	if r := w.await(running); r.Error != "" {
		t.Errorf("the running command = %+v, want OK", r)
	}
	if w.up("eth1") {
		t.Error("the command answered at the restart brought eth1 up")
	}
}
