package run_test

import (
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
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// incarnation is one admin actor's scheduler over h, driven by the test
// as the actor would be: every method from the test's goroutine, the
// events its goroutines post handed back (step).
type incarnation struct {
	*host
	s      *run.Scheduler
	events chan *run.Event
}

// persistent is a loader whose ipadm.json holds the objects given.
type persistent []ipadm.Interface

func (p persistent) LoadIPAdm() (*ipadm.Config, error) {
	c := ipadm.NewConfig()
	for _, i := range p {
		c.Interfaces[i.Name] = i
	}
	return c, nil
}

// start starts an incarnation over shared, reading st at a first start.
func (h *host) start(shared *run.Shared, st run.Loader) *incarnation {
	in := &incarnation{host: h, events: make(chan *run.Event, 16)}
	in.s = run.NewScheduler(h.r, shared, st, func(e *run.Event) { in.events <- e })
	in.s.Start()
	return in
}

// event is the next event the incarnation's goroutines posted.
func (in *incarnation) event() *run.Event {
	in.t.Helper()
	return next(in.t, in.events, "event")
}

// step hands the next event to Handle.
func (in *incarnation) step() { in.t.Helper(); in.s.Handle(in.event()) }

// do sends the incarnation req for ifname.
func (in *incarnation) do(ifname string, req messages.Request) *call {
	c := command(ifname, 0)
	c.Req = req
	in.s.Command(c.Command)
	return c
}

// hold makes every call op of the fake kernel wait until the test
// releases it (a job that runs); asked says each one came.
func (h *host) hold(op string) (asked <-chan kerneltest.Call, release func()) {
	ch, gate := make(chan kerneltest.Call, 16), make(chan struct{})
	h.k.SetFail(func(c kerneltest.Call) error {
		if c.Op == op {
			ch <- c
			<-gate
		}
		return nil
	})
	var once sync.Once
	return ch, func() { once.Do(func() { close(gate) }) }
}

// noDeadlines gives the runner deadlines that never fire, asked of nobody.
func (h *host) noDeadlines() {
	h.r.Deadline = func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
}

// boot lets a first incarnation load an empty store and replay nothing.
func (in *incarnation) boot() {
	in.t.Helper()
	in.step() // loaded
	in.step() // replayed
}

func code(t *testing.T, what string, r *messages.Result, want ipc.Code) {
	t.Helper()
	if r.Code != want {
		t.Errorf("%s = %+v, want %q", what, r, want)
	}
}

var temporary = messages.CreateAddr{Object: "eth1/t", Type: ipadm.Static, Address: "198.18.8.8/24", Temporary: true}

// At start-up the persistent configuration is brought up before anything
// else: a change that came while it was read waits behind the replay, a
// listing is held until the replay is done and shows it.
func TestSchedulerBoot(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	asked, release := h.hold("SetUp")
	defer release()
	in := h.start(run.NewShared(), persistent{{Name: "eth0", Families: v4}})
	show := in.do("", messages.ShowIf{})
	create := in.do("eth1", messages.CreateIf{})
	in.step() // loaded: the replay starts
	if got := next(t, asked, "SetUp"); got.Ifindex != 2 {
		t.Fatalf("first SetUp of %+v, want the replay's eth0", got)
	}
	later := in.do("", messages.ShowIf{})
	h.unanswered(show)
	h.unanswered(later)
	h.unanswered(create)
	release()
	in.step() // replayed
	want := []ipadm.IfRow{{Ifname: "eth0", State: "ok", Current: "bm--4-", Persistent: "4-"}}
	for _, c := range []*call{show, later} {
		if r := h.result(c); r.Failed() || !slices.Equal(r.Interfaces, want) {
			t.Errorf("show-if held at start-up = %+v %v, want %v", r, r.Interfaces, want)
		}
	}
	if got := next(t, asked, "SetUp"); got.Ifindex != 3 {
		t.Errorf("SetUp of %+v after the replay, want eth1", got)
	}
	in.step()
	code(t, "create-if eth1", h.result(create), "")
}

// SIGTERM while the configuration is read: nothing is brought up, the
// changes queued are answered SHUTDOWN, and the shutdown once the
// removals (none) are done.
func TestSchedulerStopWhileLoading(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	h.k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "SetUp" {
			t.Errorf("SetUp %s after SIGTERM", c.Name)
		}
		return nil
	})
	in := h.start(run.NewShared(), persistent{{Name: "eth0", Families: v4}})
	show := in.do("", messages.ShowIf{})
	create := in.do("eth1", messages.CreateIf{})
	done := make(chan *messages.Result, 1)
	in.s.Stop(done)
	code(t, "create-if queued at SIGTERM", h.result(create), ipc.ErrShutdown)
	in.step() // loaded: no replay, the removals
	if r := h.result(show); r.Failed() || len(r.Interfaces) != 1 || r.Interfaces[0].State != "disabled" {
		t.Errorf("show-if held at SIGTERM = %+v, want eth0 not brought up", r)
	}
	in.step()
	code(t, "shutdown", next(t, done, "shutdown"), "")
}

// Jobs run one at a time in the order they came, each decided from what
// the ones before committed; a refusal is answered when its turn comes
// and the next one goes; listings are answered meanwhile from what is
// committed; a request that is not administrative is INVALID; beyond
// MaxQueue a change is answered LIMIT.
func TestSchedulerQueue(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	in := h.start(run.NewShared(), nil)
	in.boot()
	asked, release := h.hold("SetUp")
	defer release()
	first := in.do("eth0", messages.CreateIf{})
	next(t, asked, "SetUp")
	refused := in.do("eth2", messages.DeleteIf{})
	second := in.do("eth0", messages.DeleteIf{})
	if r := h.result(in.do("", messages.ShowIf{})); r.Failed() || len(r.Interfaces) != 0 {
		t.Errorf("show-if while create-if eth0 runs = %+v, want nothing committed yet", r)
	}
	code(t, "ping to the admin actor", h.result(in.do("", messages.Ping{})), ipc.ErrInvalid)
	h.unanswered(refused)
	release()
	in.step()
	code(t, "create-if eth0", h.result(first), "")
	code(t, "delete-if eth2 behind it", h.result(refused), ipc.ErrNotFound)
	in.step()
	code(t, "delete-if eth0 behind it (decided once eth0 was committed)", h.result(second), "")

	asked, release = h.hold("SetUp")
	defer release()
	running := in.do("eth1", messages.CreateIf{})
	next(t, asked, "SetUp")
	for i := 0; i < run.MaxQueue; i++ {
		in.do("eth0", messages.EnableIf{})
	}
	code(t, "over the bound", h.result(in.do("eth0", messages.EnableIf{})), ipc.ErrLimit)
	h.unanswered(running)
}

// SIGTERM: the queued changes and later ones are answered SHUTDOWN; once
// the running job is done the temporary static addresses are removed,
// then the shutdown is answered; a second one is answered SHUTDOWN.
func TestSchedulerStop(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	in, running, release := h.temporaryThenRunning(run.NewShared())
	defer release()
	queued := in.do("eth1", messages.DisableIf{})
	done := make(chan *messages.Result, 1)
	in.s.Stop(done)
	code(t, "queued at SIGTERM", h.result(queued), ipc.ErrShutdown)
	code(t, "after SIGTERM", h.result(in.do("eth0", messages.DeleteIf{})), ipc.ErrShutdown)
	again := make(chan *messages.Result, 1)
	in.s.Stop(again)
	code(t, "a second shutdown", next(t, again, "second shutdown's answer"), ipc.ErrShutdown)
	if _, removed := h.k.Snapshot(); len(removed) != 0 || len(done) != 0 {
		t.Fatalf("removed %v, shutdown answered %d while a job runs; want neither", removed, len(done))
	}
	release()
	in.step()
	code(t, "running at SIGTERM", h.result(running), "")
	in.step()
	code(t, "shutdown", next(t, done, "shutdown"), "")
	removedTemporary(t, h)
}

// temporaryThenRunning boots an incarnation over shared, has it commit
// the temporary static address, then starts create-if eth0, held in its
// SetUp until release.
func (h *host) temporaryThenRunning(shared *run.Shared) (in *incarnation, running *call, release func()) {
	h.t.Helper()
	in = h.start(shared, nil)
	in.boot()
	tmp := in.do("", temporary)
	in.step()
	code(h.t, "create-addr -t", h.result(tmp), "")
	asked, release := h.hold("SetUp")
	running = in.do("eth0", messages.CreateIf{})
	next(h.t, asked, "SetUp")
	return in, running, release
}

// removedTemporary fails t unless the temporary static address, and it
// alone, was removed.
func removedTemporary(t *testing.T, h *host) {
	t.Helper()
	want := kernel.AddrConfig{Ifindex: 3, Addr: netip.MustParsePrefix(temporary.Address)}
	if _, removed := h.k.Snapshot(); len(removed) != 1 || removed[0].Ifindex != want.Ifindex || removed[0].Addr != want.Addr {
		t.Errorf("removed at shutdown %v, want %v", removed, want)
	}
}

// A restart answers the queued changes and held listings INTERNAL; the
// next incarnation starts from what the earlier ones committed (a -t
// object lives nowhere else) once the job they were running is done, and
// the earlier one's events are ignored; nothing is replayed.
func TestSchedulerRestart(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	shared := run.NewShared()
	first := h.start(shared, nil)
	held := first.do("", messages.ShowIf{})
	first.s.Restarting()
	code(t, "listing held at a restart", h.result(held), ipc.ErrInternal)
	first = h.start(shared, nil)
	first.boot()
	tmp := first.do("eth0", messages.CreateIf{Temporary: true})
	first.step()
	code(t, "create-if -t eth0", h.result(tmp), "")
	asked, release := h.hold("SetUp")
	defer release()
	running := first.do("eth1", messages.CreateIf{})
	next(t, asked, "SetUp")
	queued := first.do("eth0", messages.DeleteIf{})
	first.s.Restarting()
	code(t, "queued at a restart", h.result(queued), ipc.ErrInternal)

	second := h.start(shared, persistent{{Name: "eth9", Families: v4}}) // not read: a restart
	show := second.do("", messages.ShowIf{})
	release()
	second.s.Handle(first.event()) // the earlier incarnation's job is done
	h.unanswered(show)
	code(t, "running at the restart", h.result(running), "")
	second.step()
	r := h.result(show)
	var got []string
	for _, i := range r.Interfaces {
		got = append(got, i.Ifname+" "+i.State)
	}
	if want := []string{"eth0 ok", "eth1 ok"}; r.Failed() || !slices.Equal(got, want) {
		t.Errorf("show-if after the restart = %+v %v, want %v", r, got, want)
	}
	select {
	case e := <-second.events:
		t.Errorf("the restarted incarnation ran a job (a replay?): %+v", e)
	default:
	}
}

// A stop the earlier incarnation had not carried out (its removals waited
// behind the running job) outlives the restart: the next incarnation
// removes the temporary static addresses and only then answers the
// shutdown, and answers changes SHUTDOWN. Before, the restart answered
// the shutdown at once and nobody removed them.
func TestSchedulerRestartKeepsStop(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	shared := run.NewShared()
	first, running, release := h.temporaryThenRunning(shared)
	defer release()
	done := make(chan *messages.Result, 1)
	first.s.Stop(done)
	first.s.Restarting()
	if _, removed := h.k.Snapshot(); len(removed) != 0 || len(done) != 0 {
		t.Fatalf("removed %v, shutdown answered %d at the restart; want neither", removed, len(done))
	}

	second := h.start(shared, nil)
	code(t, "a change after SIGTERM and the restart", h.result(second.do("eth1", messages.CreateIf{})), ipc.ErrShutdown)
	release()
	first.event()
	code(t, "running at the restart", h.result(running), "")
	second.step() // loaded: the removals
	second.step()
	code(t, "shutdown", next(t, done, "shutdown"), "")
	removedTemporary(t, h)
}

// A restarted incarnation waits for the earlier one's running job at most
// so long (logged), then starts from what was committed before it.
func TestSchedulerPriorWait(t *testing.T) {
	h := newHost(t)
	core, logs := observer.New(zap.ErrorLevel)
	h.r.Log = zap.New(core)
	shared := run.NewShared()
	first := h.start(shared, nil)
	h.deadline()
	first.boot()
	asked, release := h.hold("SetUp")
	defer release()
	first.do("eth0", messages.CreateIf{})
	next(t, asked, "SetUp")
	first.s.Restarting()

	second := h.start(shared, persistent{{Name: "eth9", Families: v4}})
	show := second.do("", messages.ShowIf{})
	d := h.deadline()
	if d.d < 10*time.Second {
		t.Errorf("the wait for an earlier job is bounded by %v, want at least 10 s (netlink timeouts and an fsync)", d.d)
	}
	h.unanswered(show)
	d.fire <- time.Time{}
	second.step()
	if r := h.result(show); r.Failed() || len(r.Interfaces) != 0 {
		t.Errorf("show-if = %+v, want what was committed before the hung job (nothing)", r)
	}
	if all := logs.All(); len(all) != 1 {
		t.Errorf("logged %v, want the one error", all)
	}
}

// The listings held at start-up are bounded: beyond MaxQueue one is
// answered LIMIT at once, as a change beyond the queue's bound (not from
// nothing loaded yet: an empty listing, or NOTFOUND for eth0, would say
// the objects are not there); the held ones once booted.
func TestSchedulerHoldBound(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	in := h.start(run.NewShared(), persistent{{Name: "eth0", Families: v4}})
	held := make([]*call, run.MaxQueue)
	for i := range held {
		held[i] = in.do("", messages.ShowIf{})
	}
	code(t, "show-if beyond the bound", h.result(in.do("", messages.ShowIf{})), ipc.ErrLimit)
	code(t, "show-if eth0 beyond the bound", h.result(in.do("eth0", messages.ShowIf{})), ipc.ErrLimit)
	code(t, "show-addr beyond the bound", h.result(in.do("", messages.ShowAddr{})), ipc.ErrLimit)
	h.unanswered(held[0])
	in.boot()
	for _, c := range []*call{held[0], held[run.MaxQueue-1]} {
		if r := h.result(c); r.Failed() || len(r.Interfaces) != 1 {
			t.Errorf("show-if held = %+v, want eth0", r)
		}
	}
}

// restartedAfterGivingUp has a first incarnation over shared start
// create-if eth0, held in its SetUp until release, and restart; the next
// incarnation's load gives up waiting for it (its deadline fired) and
// starts from what was committed before it (nothing).
func (h *host) restartedAfterGivingUp(shared *run.Shared) (second *incarnation, first *incarnation, running *call, release func()) {
	h.t.Helper()
	first = h.start(shared, nil)
	h.deadline().fire <- time.Time{} // nothing runs: not waited for
	first.boot()
	asked, release := h.hold("SetUp")
	running = first.do("eth0", messages.CreateIf{})
	next(h.t, asked, "SetUp")
	first.s.Restarting()
	second = h.start(shared, nil)
	h.deadline().fire <- time.Time{}
	second.step() // loaded: what was committed before the hung job
	return second, first, running, release
}

// A change that comes while an earlier incarnation's job still runs (the
// load gave up waiting for it) waits for it at most so long, then is
// answered PEND (another transaction is outstanding, SPEC §3), and so is
// every change queued behind it; a change after that waits anew. Before,
// the job waited for the token with no deadline and the queue behind it
// with it.
func TestSchedulerPriorJobBounded(t *testing.T) {
	h := newHost(t)
	h.r.Log = zap.NewNop()
	second, _, _, release := h.restartedAfterGivingUp(run.NewShared())
	defer release()
	waiting := second.do("eth1", messages.CreateIf{})
	behind := second.do("eth1", messages.DeleteIf{})
	d := h.deadline()
	if d.d < 10*time.Second {
		t.Errorf("the wait for an earlier job is bounded by %v, want at least 10 s (netlink timeouts and an fsync)", d.d)
	}
	h.unanswered(waiting)
	d.fire <- time.Time{}
	second.step()
	code(t, "create-if while an earlier job hangs", h.result(waiting), ipc.ErrPend)
	code(t, "delete-if behind it", h.result(behind), ipc.ErrPend)
	if h.up("eth1") {
		t.Error("a change answered PEND brought eth1 up")
	}
	again := second.do("eth1", messages.CreateIf{})
	h.deadline() // waits anew
	h.unanswered(again)
}

// Once an earlier incarnation's job that outlived the load is done, the
// next job is decided from what it committed, not from the configuration
// loaded before it: before, the restarted incarnation's create-if eth1
// wrote eth0, the earlier job's object, out of the configuration.
func TestSchedulerPriorJobCommitKept(t *testing.T) {
	h := newHost(t)
	shared := run.NewShared()
	second, first, running, release := h.restartedAfterGivingUp(shared)
	defer release()
	create := second.do("eth1", messages.CreateIf{}) // waits for the earlier job
	release()
	first.event() // the earlier incarnation's, never handed over
	code(t, "create-if eth0, running at the restart", h.result(running), "")
	code(t, "create-if eth1", second.settle(create), "")
	r := h.result(second.do("", messages.ShowIf{}))
	var got []string
	for _, i := range r.Interfaces {
		got = append(got, i.Ifname+" "+i.State)
	}
	if want := []string{"eth0 ok", "eth1 ok"}; r.Failed() || !slices.Equal(got, want) {
		t.Errorf("show-if = %+v %v, want %v", r, got, want)
	}
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	if p := h.store.saved[len(h.store.saved)-1]; len(p.Interfaces) != 2 {
		t.Errorf("ipadm.json last written with %v, want eth0 and eth1", p.Interfaces)
	}
}

// settle hands the incarnation's events over until c is answered, and
// those posted before the answer (what c's job committed): c's answer.
func (in *incarnation) settle(c *call) *messages.Result {
	in.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e := <-in.events:
			in.s.Handle(e)
		case r := <-c.reply:
			for len(in.events) > 0 {
				in.s.Handle(<-in.events)
			}
			return r
		case <-timeout:
			in.t.Fatal("no answer within 5 s")
			return nil
		}
	}
}

// A SIGTERM while an earlier incarnation's job still runs (the load gave
// up waiting for it) is answered within the same bound, PEND, and removes
// nothing beside that job; before, its removals waited with no deadline.
func TestSchedulerPriorJobBoundsStop(t *testing.T) {
	h := newHost(t)
	second, _, _, release := h.restartedAfterGivingUp(run.NewShared())
	defer release()
	done := make(chan *messages.Result, 1)
	second.s.Stop(done)
	h.deadline().fire <- time.Time{}
	second.step()
	code(t, "shutdown while an earlier job hangs", next(t, done, "shutdown"), ipc.ErrPend)
	if _, removed := h.k.Snapshot(); len(removed) != 0 {
		t.Errorf("removed %v beside the earlier job", removed)
	}
	code(t, "a change after SIGTERM", h.result(second.do("eth1", messages.CreateIf{})), ipc.ErrShutdown)
}

// A listing shows what an earlier incarnation's job committed once its
// command was answered, though the load gave up waiting for that job and
// nothing ran since: a listing after a change shows it.
func TestSchedulerPriorJobListed(t *testing.T) {
	h := newHost(t)
	second, _, running, release := h.restartedAfterGivingUp(run.NewShared())
	release()
	code(t, "create-if eth0, running at the restart", h.result(running), "")
	r := h.result(second.do("", messages.ShowIf{}))
	if r.Failed() || len(r.Interfaces) != 1 || r.Interfaces[0].Ifname != "eth0" {
		t.Errorf("show-if after create-if eth0 was answered = %+v, want eth0", r)
	}
}

// A restarted incarnation whose load gave up waiting for the earlier one's
// replay (nothing committed yet: it reads the store and would replay)
// skips its own replay once that job committed, and then answers the
// listings it held: before, next returned on finding nothing else to run,
// and they stayed held until another change or a stop came.
func TestSchedulerPriorReplayAnswersHeld(t *testing.T) {
	h := newHost(t)
	h.r.Log = zap.NewNop()
	shared := run.NewShared()
	asked, release := h.hold("SetUp")
	defer release()
	first := h.start(shared, persistent{{Name: "eth0", Families: v4}})
	h.deadline().fire <- time.Time{} // nothing runs: not waited for
	first.step()                     // loaded: the replay starts
	next(t, asked, "SetUp")          // and hangs
	first.s.Restarting()

	second := h.start(shared, persistent{{Name: "eth0", Families: v4}})
	h.deadline().fire <- time.Time{}
	second.step() // loaded from the store: its replay waits for the earlier job
	h.deadline()  // that wait's bound, not reached
	show := second.do("", messages.ShowIf{})
	h.unanswered(show)
	release()
	first.event() // the earlier incarnation's commit, not its own
	second.step() // freed: the earlier replay committed
	if r := h.result(show); r.Failed() || len(r.Interfaces) != 1 || r.Interfaces[0].Ifname != "eth0" {
		t.Errorf("show-if held while the earlier replay ran = %+v, want eth0", r)
	}
}
