package run_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipadm/run"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// host is a Runner over a fake kernel with eth0 (index 2), eth1 (3) and
// the loopback (1), a store that keeps what it was given, a manager whose
// commands the test reads and answers (sent), and deadlines the test fires
// (deadlines).
type host struct {
	t         *testing.T
	k         *kerneltest.Kernel
	addrs     *kernel.AddrTable
	store     *fakeStore
	sent      chan *messages.Command
	deadlines chan deadline
	r         *run.Runner
}

// deadline is one the runner asked for: after d, fired when the test
// sends on fire.
type deadline struct {
	d    time.Duration
	fire chan<- time.Time
}

type fakeStore struct {
	mu    sync.Mutex
	saved []*ipadm.Config
	err   error
}

func (s *fakeStore) SaveIPAdm(c *ipadm.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.saved = append(s.saved, c)
	return nil
}

func (s *fakeStore) saves() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.saved)
}

func newHost(t *testing.T) *host {
	k := &kerneltest.Kernel{}
	k.AddLink("eth0", kernel.LinkState{Index: 2, Carrier: true, Broadcast: true, Multicast: true})
	k.AddLink("eth1", kernel.LinkState{Index: 3, Carrier: true})
	k.AddLink("lo", kernel.LinkState{Index: 1, Up: true, Carrier: true, Loopback: true})
	h := &host{t: t, k: k, addrs: &kernel.AddrTable{}, store: &fakeStore{},
		sent: make(chan *messages.Command, 16), deadlines: make(chan deadline, 16)}
	h.r = &run.Runner{Links: k, Net: k, Addrs: h.addrs, Store: h.store,
		Manager:  func(c *messages.Command) { h.sent <- c },
		DropWait: time.Minute,
		Deadline: func(d time.Duration) (<-chan time.Time, func()) {
			ch := make(chan time.Time, 1)
			h.deadlines <- deadline{d: d, fire: ch}
			return ch, func() {}
		},
		Log: zap.NewNop()}
	return h
}

// call is a command and the channel its answer comes on.
type call struct {
	*messages.Command
	reply chan *messages.Result
}

func command(ifname string, wait time.Duration) *call {
	reply := make(chan *messages.Result, 1)
	return &call{Command: &messages.Command{Ifname: ifname, Wait: wait, Reply: reply}, reply: reply}
}

// plan carries p out for c from cfg and answers c, on the test's
// goroutine; what nothing waits for (c nil) is answered to nobody.
func (h *host) plan(cfg ipadm.Configs, p ipadm.Plan, c *call) ipadm.Configs {
	var cmd *messages.Command
	if c != nil {
		cmd = c.Command
	}
	cfg, answer := h.r.Plan(cfg, p, cmd)
	answer()
	return cfg
}

// next is what comes on ch within 5 s; the test fails without it.
func next[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5 s", what)
		var zero T
		return zero
	}
}

// result is c's answer, within 5 s.
func (h *host) result(c *call) *messages.Result {
	h.t.Helper()
	return next(h.t, c.reply, "answer")
}

// unanswered fails the test when c has its answer already.
func (h *host) unanswered(c *call) {
	h.t.Helper()
	select {
	case r := <-c.reply:
		h.t.Fatalf("answered %+v too early", r)
	default:
	}
}

// manager is the next command the manager got, within 5 s.
func (h *host) manager() *messages.Command {
	h.t.Helper()
	return next(h.t, h.sent, "command to the manager")
}

// deadline is the next deadline the runner asked for, within 5 s.
func (h *host) deadline() deadline {
	h.t.Helper()
	return next(h.t, h.deadlines, "deadline asked for")
}

func (h *host) up(name string) bool {
	h.t.Helper()
	st, err := h.k.State(name)
	if err != nil {
		h.t.Fatal(err)
	}
	return st.Up
}

var (
	both   = []string{ipadm.V4, ipadm.V6}
	v4     = []string{ipadm.V4}
	static = ipadm.Address{Object: "eth0/s", Ifname: "eth0", Type: ipadm.Static, Addr: netip.MustParsePrefix("198.18.9.9/24")}
	dhcp   = ipadm.Address{Object: "eth0/d", Ifname: "eth0", Type: ipadm.DHCP, Hostname: "node9", Primary: true}
)

func plan(steps ...ipadm.Step) ipadm.Plan { return ipadm.Plan{Steps: steps} }

// Plumb sets the link up and IPv6 on only for a v6 object; Unplumb turns
// IPv6 off for the families dropped and sets the link down only when no
// family is left, and leaves the loopback and a vanished link alone. Each
// answers OK, and the active configuration follows.
func TestPlumbUnplumb(t *testing.T) {
	h := newHost(t)
	cfg := ipadm.NewConfigs()

	c := command("eth0", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: v4}}), c)
	if r := h.result(c); r.Failed() || !h.up("eth0") {
		t.Fatalf("plumb -f v4 = %+v, up %v", r, h.up("eth0"))
	}
	if _, set := h.k.IPv6("eth0"); set {
		t.Error("plumb -f v4 touched IPv6")
	}
	c = command("eth0", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: both}}), c)
	if on, _ := h.k.IPv6("eth0"); h.result(c).Failed() || !on {
		t.Fatalf("plumb -f v4,v6 left IPv6 off")
	}
	if got := cfg.Active.Interfaces["eth0"].Families; !slices.Equal(got, both) {
		t.Errorf("active families %v, want %v", got, both)
	}

	c = command("eth0", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.Unplumb, If: ipadm.Interface{Name: "eth0", Families: v4}, Drop: []string{ipadm.V6}}), c)
	if on, _ := h.k.IPv6("eth0"); h.result(c).Failed() || on || !h.up("eth0") {
		t.Fatalf("unplumb -f v6: IPv6 %v, up %v; want off, up", on, h.up("eth0"))
	}
	c = command("eth0", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.Unplumb, If: ipadm.Interface{Name: "eth0"}, Drop: v4}), c)
	if h.result(c).Failed() || h.up("eth0") {
		t.Fatal("unplumb of the last family left the link up")
	}
	if _, ok := cfg.Active.Interfaces["eth0"]; ok {
		t.Error("an interface with no family left is still active")
	}

	// The loopback keeps its state and its IPv6; a vanished link needs
	// nothing, and both leave the active configuration.
	h.k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "SetUp" || c.Op == "SetIPv6" {
			t.Errorf("%s %s%d on an unplumb of the loopback or of a vanished link", c.Op, c.Name, c.Ifindex)
		}
		return nil
	})
	for _, name := range []string{"lo", "nope0"} {
		cfg.Active.Interfaces[name] = ipadm.Interface{Name: name, Families: both}
		c = command(name, 0)
		cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.Unplumb, If: ipadm.Interface{Name: name}, Drop: both}), c)
		if r := h.result(c); r.Failed() {
			t.Errorf("unplumb %s = %+v, want OK", name, r)
		}
		if _, ok := cfg.Active.Interfaces[name]; ok {
			t.Errorf("unplumb %s left it active", name)
		}
	}
	if !h.up("lo") {
		t.Error("unplumb took the loopback down")
	}
}

// A refused IPv6 switch does not keep the link up: Unplumb still sets it
// down, and the error is the step's.
func TestUnplumbRefusedIPv6StillSetsDown(t *testing.T) {
	h := newHost(t)
	cfg := h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: both}}), nil)
	h.k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "SetIPv6" {
			return errors.New("read-only file system")
		}
		return nil
	})
	c := command("eth0", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.Unplumb, If: ipadm.Interface{Name: "eth0"}, Drop: both}), c)
	if r := h.result(c); r.Code != ipc.ErrInternal {
		t.Errorf("unplumb with IPv6 refused = %+v, want INTERNAL", r)
	}
	if h.up("eth0") {
		t.Error("the link stayed up")
	}
	if _, ok := cfg.Active.Interfaces["eth0"]; ok {
		t.Error("the object stayed active: a removal that failed still removes")
	}
}

// A static address goes to its link's index, exactly, and the host's
// address table hears of it at once; a removal from a vanished link
// succeeds (the address went with it).
func TestStaticAddresses(t *testing.T) {
	h := newHost(t)
	want := kernel.IfAddr{Ifindex: 2, Prefix: static.Addr}
	c := command("", 0)
	cfg := h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.AddStatic, Addr: static}), c)
	if r := h.result(c); r.Failed() {
		t.Fatalf("add = %+v", r)
	}
	if got, ok := h.k.LastApplied(2); !ok || got.Addr != static.Addr || len(got.Routes) != 0 {
		t.Errorf("applied %+v, %v; want %v on eth0", got, ok, static.Addr)
	}
	if !slices.Contains(h.addrs.List(), want) {
		t.Errorf("the address table %v lacks %v", h.addrs.List(), want)
	}
	if _, ok := cfg.Active.Addresses[static.Object]; !ok {
		t.Error("the added address is not active")
	}

	c = command("", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.RemoveStatic, Addr: static}), c)
	if r := h.result(c); r.Failed() {
		t.Fatalf("remove = %+v", r)
	}
	if _, removed := h.k.Snapshot(); len(removed) != 1 || removed[0].Ifindex != 2 || removed[0].Addr != static.Addr {
		t.Errorf("removed %+v, want %v from eth0", removed, static.Addr)
	}
	if slices.Contains(h.addrs.List(), want) || len(cfg.Active.Addresses) != 0 {
		t.Errorf("after the removal: table %v, active %v", h.addrs.List(), cfg.Active.Addresses)
	}

	gone := static
	gone.Ifname, gone.Object = "nope0", "nope0/s"
	c = command("", 0)
	h.plan(cfg, plan(ipadm.Step{Op: ipadm.RemoveStatic, Addr: gone}), c)
	if r := h.result(c); r.Failed() {
		t.Errorf("remove from a vanished link = %+v, want OK", r)
	}
	c = command("", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.AddStatic, Addr: gone}), c)
	if r := h.result(c); r.Code != ipc.ErrNoLink {
		t.Errorf("add on a missing link = %+v, want NOLINK", r)
	}
	if len(cfg.Active.Addresses) != 0 {
		t.Errorf("a failed add committed %v", cfg.Active.Addresses)
	}
}

// A failed step ends the plan with its error, commits nothing it did not
// do and runs none of the steps after it; a best-effort one is logged and
// the plan goes on.
func TestFailedStepEndsThePlan(t *testing.T) {
	h := newHost(t)
	refused := errors.New("operation not permitted")
	h.k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Apply" || c.Op == "Remove" {
			return refused
		}
		return nil
	})
	persist := ipadm.NewConfig()
	persist.Addresses[static.Object] = static
	save := ipadm.Step{Op: ipadm.Save, Config: persist}

	c := command("", 0)
	cfg := h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.AddStatic, Addr: static}, save), c)
	if r := h.result(c); r.Code != ipc.ErrInternal || r.Message != refused.Error() {
		t.Errorf("a refused add = %+v, want INTERNAL %q", r, refused)
	}
	if h.store.saves() != 0 || len(cfg.Active.Addresses) != 0 || len(cfg.Persist.Addresses) != 0 {
		t.Errorf("after a failed step: %d saves, active %v, persistent %v; want nothing", h.store.saves(),
			cfg.Active.Addresses, cfg.Persist.Addresses)
	}

	cfg.Active.Addresses[static.Object] = static
	c = command("", 0)
	cfg = h.plan(cfg, plan(ipadm.Step{Op: ipadm.RemoveStatic, Addr: static, BestEffort: true}, save), c)
	if r := h.result(c); r.Failed() {
		t.Errorf("a best-effort removal refused = %+v, want OK", r)
	}
	if h.store.saves() != 1 || cfg.Persist != persist || len(cfg.Active.Addresses) != 0 {
		t.Errorf("after a best-effort failure: %d saves, persistent %v, active %v; want the save, no address",
			h.store.saves(), cfg.Persist, cfg.Active.Addresses)
	}

	h.store.err = errors.New("no space left on device")
	c = command("", 0)
	if got := h.plan(cfg, plan(ipadm.Step{Op: ipadm.Save, Config: ipadm.NewConfig()}), c); got.Persist != persist {
		t.Error("a failed write changed the persistent configuration")
	}
	if r := h.result(c); r.Code != ipc.ErrInternal {
		t.Errorf("a failed write = %+v, want INTERNAL", r)
	}

	h.r.Store = nil // no store: the configuration is kept in memory only
	c = command("", 0)
	if got := h.plan(cfg, plan(save), c); got.Persist != persist || h.result(c).Failed() {
		t.Error("a save without a store failed or was not committed")
	}
}

// Run hands what the plans committed over before the command is answered,
// so that the caller's next command sees it.
func TestRunCommitsBeforeTheAnswer(t *testing.T) {
	h := newHost(t)
	c := command("eth0", 0)
	var committed ipadm.Configs
	plans := []ipadm.Plan{
		plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: v4}}),
		plan(ipadm.Step{Op: ipadm.AddStatic, Addr: static}),
	}
	h.r.Run(ipadm.NewConfigs(), plans, c.Command, func(cfg ipadm.Configs) {
		committed = cfg
		h.unanswered(c)
	})
	if r := h.result(c); r.Failed() {
		t.Fatalf("run = %+v", r)
	}
	if _, ok := committed.Active.Interfaces["eth0"]; !ok {
		t.Error("the first plan's interface was not committed")
	}
	if _, ok := committed.Active.Addresses[static.Object]; !ok {
		t.Error("the second plan's address was not committed")
	}
}

// A DHCP step is a command to the manager for the object's interface; the
// one that answers carries the caller's wait and context, and its result
// is the answer: the code the step takes for success (RUNNING for a
// start) becomes a success with the interface's status, any other failure
// is passed on as it is.
func TestRelay(t *testing.T) {
	ctx := context.Background()
	start := ipadm.Step{Op: ipadm.StartDHCP, Addr: dhcp, Temporary: true, Answers: true, OK: ipc.ErrRunning}
	bound := &messages.IfStatus{Ifname: "eth0", State: lease.Bound}
	for _, tc := range []struct {
		name   string
		answer *messages.Result
		status *messages.Result // the manager's answer to the status asked; nil: none asked
		want   *messages.Result
	}{
		{"success", &messages.Result{Status: bound}, nil, &messages.Result{Status: bound}},
		{"failure", messages.Fail(ipc.ErrNoLink, "eth0: gone"), nil, messages.Fail(ipc.ErrNoLink, "eth0: gone")},
		{"running", messages.Fail(ipc.ErrRunning, "eth0: running"), &messages.Result{Status: bound}, &messages.Result{Status: bound}},
		{"running, not managed any more", messages.Fail(ipc.ErrRunning, "eth0: running"), messages.Fail(ipc.ErrUnkIf, "eth0"), messages.OK()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			c := command("", 30*time.Second)
			c.Ctx = ctx
			cfg, answer := h.r.Plan(ipadm.NewConfigs(), plan(start), c.Command)
			if _, ok := cfg.Active.Addresses[dhcp.Object]; !ok {
				t.Error("the started object is not active")
			}
			go answer()
			m := h.manager()
			want := messages.Start{Hostname: "node9", Primary: true, Temporary: true}
			if m.Ifname != "eth0" || m.Req != want || m.Wait != c.Wait || m.Ctx != ctx {
				t.Fatalf("the manager got %s %+v wait %v ctx %v; want eth0 %+v with the caller's wait and context",
					m.Ifname, m.Req, m.Wait, m.Ctx, want)
			}
			if d := h.deadline(); d.d != c.Wait+5*time.Second {
				t.Errorf("the relay waits %v, want the caller's wait and 5 s", d.d)
			}
			h.unanswered(c)
			m.Answer(tc.answer)
			if tc.status != nil {
				s := h.manager()
				if s.Ifname != "eth0" || s.Req != (messages.Status{}) {
					t.Fatalf("asked the manager %s %+v, want eth0's status", s.Ifname, s.Req)
				}
				s.Answer(tc.status)
			}
			if r := h.result(c); r.Code != tc.want.Code || r.Message != tc.want.Message || r.Status != tc.want.Status {
				t.Errorf("answer %+v, want %+v", r, tc.want)
			}
		})
	}
}

// A relay never outlives its caller's patience: when the manager's answer
// does not come before the caller's wait and the grace, the command
// answers TIMEOUT; a caller that waits forever is bounded by a day.
func TestRelayDeadline(t *testing.T) {
	for _, tc := range []struct {
		wait, deadline time.Duration
	}{
		{10 * time.Second, 15 * time.Second},
		{messages.Forever, 24*time.Hour + 5*time.Second},
	} {
		h := newHost(t)
		c := command("", tc.wait)
		_, answer := h.r.Plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.ExtendDHCP, Addr: dhcp, Answers: true}), c.Command)
		go answer()
		if m := h.manager(); m.Req != (messages.Extend{}) || m.Wait != tc.wait {
			t.Fatalf("the manager got %+v wait %v, want extend, wait %v", m.Req, m.Wait, tc.wait)
		}
		d := h.deadline()
		if d.d != tc.deadline {
			t.Errorf("wait %v: the relay waits %v, want %v", tc.wait, d.d, tc.deadline)
		}
		d.fire <- time.Time{}
		if r := h.result(c); r.Code != ipc.ErrTimeout {
			t.Errorf("wait %v: the manager silent = %+v, want TIMEOUT", tc.wait, r)
		}
	}
}

// The relay ends with its caller: one that stops waiting (a --wait
// forever caller that disconnects) does not leave it waiting for an
// answer the manager may never give (messages.Inflight lets go what
// nobody waits for).
func TestRelayEndsWithCaller(t *testing.T) {
	h := newHost(t)
	c := command("", messages.Forever)
	ctx, cancel := context.WithCancel(context.Background())
	c.Ctx = ctx
	_, answer := h.r.Plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.ExtendDHCP, Addr: dhcp, Answers: true}), c.Command)
	done := make(chan struct{})
	go func() { answer(); close(done) }()
	h.manager()
	h.deadline() // armed for a day: it never fires here
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the relay still waits after its caller went")
	}
	if r := h.result(c); r.Code != ipc.ErrTimeout {
		t.Fatalf("answer after the caller went = %+v, want TIMEOUT", r)
	}
}

// A plan with DHCP drops and no answering step answers OK only once every
// drop is done (the addresses are gone), or TIMEOUT after DropWait and the
// grace; the drops do not carry the caller's wait.
func TestAfterDrops(t *testing.T) {
	other := ipadm.Address{Object: "eth1/d", Ifname: "eth1", Type: ipadm.DHCP}
	drops := plan(ipadm.Step{Op: ipadm.DropDHCP, Addr: dhcp, Release: true, BestEffort: true},
		ipadm.Step{Op: ipadm.DropDHCP, Addr: other, BestEffort: true})
	cfg := ipadm.NewConfigs()
	cfg.Active.Addresses[dhcp.Object], cfg.Active.Addresses[other.Object] = dhcp, other

	h := newHost(t)
	c := command("eth0", 30*time.Second)
	got, answer := h.r.Plan(cfg, drops, c.Command)
	if len(got.Active.Addresses) != 0 {
		t.Errorf("dropped objects still active: %v", got.Active.Addresses)
	}
	go answer()
	first, second := h.manager(), h.manager()
	if first.Ifname != "eth0" || first.Req != (messages.Drop{Release: true}) || second.Ifname != "eth1" || second.Req != (messages.Drop{}) {
		t.Fatalf("the manager got %s %+v, %s %+v; want eth0 release, eth1 drop", first.Ifname, first.Req, second.Ifname, second.Req)
	}
	if first.Wait != 0 || first.Ctx != nil {
		t.Errorf("a drop carries the caller's wait %v or context", first.Wait)
	}
	if d := h.deadline(); d.d != time.Minute+5*time.Second {
		t.Errorf("the drops are waited for %v, want DropWait and 5 s", d.d)
	}
	second.Answer(messages.OK())
	h.unanswered(c)
	first.Answer(messages.Fail(ipc.ErrUnkIf, "eth0")) // done, one way or the other
	if r := h.result(c); r.Failed() {
		t.Errorf("answer after the drops = %+v, want OK", r)
	}

	h = newHost(t)
	c = command("eth0", 0)
	_, answer = h.r.Plan(cfg, drops, c.Command)
	go answer()
	h.manager().Answer(messages.OK())
	h.manager() // never answers
	h.deadline().fire <- time.Time{}
	if r := h.result(c); r.Code != ipc.ErrTimeout {
		t.Errorf("a drop never done = %+v, want TIMEOUT", r)
	}
}

// The agent's own plans (replay, shutdown) have nobody to answer: a failed
// step and the drops' end are answered to nobody, and nothing waits.
func TestPlanWithoutCommand(t *testing.T) {
	h := newHost(t)
	h.k.SetFail(func(kerneltest.Call) error { return errors.New("refused") })
	h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: v4}}), nil)
	h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.DropDHCP, Addr: dhcp, BestEffort: true}), nil)
	if m := h.manager(); m.Req != (messages.Drop{}) {
		t.Errorf("the manager got %+v, want the drop", m.Req)
	}
	select {
	case d := <-h.deadlines:
		t.Errorf("a plan nobody waits for asked for a deadline of %v", d.d)
	default:
	}
}

func TestFailure(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want ipc.Code
	}{
		{&ipadm.Error{Code: ipc.ErrExists, Msg: "eth0 exists"}, ipc.ErrExists},
		{errors.Join(errors.New("plumb"), kernel.ErrNoLink), ipc.ErrNoLink},
		{errors.New("operation not permitted"), ipc.ErrInternal},
	} {
		if r := run.Failure(tc.err); r.Code != tc.want || r.Message == "" {
			t.Errorf("Failure(%v) = %+v, want %s with a reason", tc.err, r, tc.want)
		}
	}
}

// show-if reads the links of the active interfaces only: a persistent-only
// object is disabled without a look at the kernel, an active one shows its
// link's state and flags; a naming error is answered at once.
func TestShowIf(t *testing.T) {
	h := newHost(t)
	cfg := h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: both}}), nil)
	cfg.Persist.Interfaces["eth1"] = ipadm.Interface{Name: "eth1", Families: v4}
	var asked []string
	var mu sync.Mutex
	h.k.SetFail(func(c kerneltest.Call) error {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, c.Op+" "+c.Name)
		return nil
	})
	c := command("", 0)
	h.r.ShowIf(cfg, c.Command)
	r := h.result(c)
	want := []ipadm.IfRow{{Ifname: "eth0", State: "ok", Current: "bm--46", Persistent: "--"},
		{Ifname: "eth1", State: "disabled", Current: "------", Persistent: "4-"}}
	if r.Failed() || !slices.Equal(r.Interfaces, want) {
		t.Errorf("show-if = %+v %v, want %v", r, r.Interfaces, want)
	}
	mu.Lock()
	if !slices.Equal(asked, []string{"State eth0"}) {
		t.Errorf("asked the kernel %v, want eth0's state only", asked)
	}
	mu.Unlock()

	for _, tc := range []struct {
		ifname string
		want   ipc.Code
	}{{"a/b", ipc.ErrInvalid}, {"eth2", ipc.ErrNotFound}} {
		c = command(tc.ifname, 0)
		h.r.ShowIf(cfg, c.Command)
		select {
		case r := <-c.reply:
			if r.Code != tc.want {
				t.Errorf("show-if %s = %+v, want %s", tc.ifname, r, tc.want)
			}
		default:
			t.Errorf("show-if %s: the naming error was not answered at once", tc.ifname)
		}
	}
}

// show-addr shows a static object by its kernel flags and a DHCP object by
// its interface's lease, asked of the manager once per interface; an
// interface that does not answer within the listing's wait shows down.
func TestShowAddr(t *testing.T) {
	h := newHost(t)
	other := ipadm.Address{Object: "eth1/d", Ifname: "eth1", Type: ipadm.DHCP}
	cfg := h.plan(ipadm.NewConfigs(), plan(ipadm.Step{Op: ipadm.Plumb, If: ipadm.Interface{Name: "eth0", Families: both}},
		ipadm.Step{Op: ipadm.AddStatic, Addr: static}), nil)
	cfg.Active.Addresses[dhcp.Object], cfg.Active.Addresses[other.Object] = dhcp, other
	cfg.Persist.Addresses[static.Object] = static

	c := command("", 0)
	h.r.ShowAddr(cfg, c.Command, "")
	statuses := map[string]*messages.Command{}
	for range 2 {
		m := h.manager()
		if m.Req != (messages.Status{}) || statuses[m.Ifname] != nil {
			t.Fatalf("the manager got %s %+v; want one status of eth0 and of eth1", m.Ifname, m.Req)
		}
		statuses[m.Ifname] = m
	}
	d := h.deadline()
	if d.d != 5*time.Second {
		t.Errorf("the listing waits %v for the statuses, want 5 s", d.d)
	}
	lease0 := netip.MustParsePrefix("198.18.0.100/24")
	statuses["eth0"].Answer(&messages.Result{Status: &messages.IfStatus{Ifname: "eth0", State: lease.Bound, Addr: lease0}})
	h.unanswered(c)
	d.fire <- time.Time{} // eth1 never answers
	r := h.result(c)
	want := []ipadm.AddrRow{
		{Addrobj: "eth0/d", Type: "dhcp", State: "ok", Current: "U", Persistent: "-", Addr: lease0.String()},
		{Addrobj: "eth0/s", Type: "static", State: "ok", Current: "U", Persistent: "U", Addr: static.Addr.String()},
		{Addrobj: "eth1/d", Type: "dhcp", State: "down", Current: "U", Persistent: "-", Addr: "?"},
	}
	if r.Failed() || !slices.Equal(r.Addresses, want) {
		t.Errorf("show-addr = %+v\n%v\nwant %v", r, r.Addresses, want)
	}

	c = command("", 0)
	h.r.ShowAddr(cfg, c.Command, "eth0")
	select {
	case r := <-c.reply:
		if r.Code != ipc.ErrInvalid {
			t.Errorf("show-addr eth0 = %+v, want INVALID", r)
		}
	default:
		t.Error("show-addr eth0: the naming error was not answered at once")
	}
}
