package actors

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/lookup"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/roster"
	"github.com/dhcpagent/dhcpagent/stash"
	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// Restart limits for a failing interface actor: past them the manager
// stops it, and the interface is marked FAILED rather than left to spin.
const (
	maxRestarts   = 5
	restartWindow = time.Minute
)

// Bounds of the manager's waits for its interfaces' answers: to a status
// of them all (every actor answers at once) and to their stopping.
const (
	statusWait   = 5 * time.Second
	shutdownWait = 60 * time.Second
)

// manager supervises the interface actors and routes commands to them by
// interface name. It holds no lease state of its own.
type manager struct {
	env *Env
	// roster is which actor each interface's commands go to, where those
	// without one stand, and the primary: what each message changes of
	// it is the roster's, what is sent and logged the manager's.
	roster *roster.Roster[*actor.PID]
	routed messages.Inflight // commands routed to each actor, until answered
	// looking are the names whose link is being looked up (lookup.go),
	// with the commands waiting for each and, while they are routed
	// again, the answer at hand; and the latest link event for each that
	// came meanwhile.
	looking lookup.Queue[*messages.Command, found, *messages.Link]
	// closing: the agent is stopping, nothing new starts. Shared by the
	// manager's incarnations: one restarted during the agent's stop
	// neither resumes nor starts anything.
	closing *bool
	// restarted: this incarnation failed and waits for its actors to
	// stop before the next one starts (restarting).
	restarted bool
	// stops are the agent's stops waiting for their interfaces' answers
	// (shutdown), each told of the asked actors that stop: an actor's
	// stop counts as its answer (messages.Roll).
	stops []*messages.Roll[*messages.Result]
	// statuses are the statuses of all waiting for their interfaces'
	// answers, each told of the asked actors that stop (stopped).
	statuses []*messages.Roll[messages.IfStatus]
	// early holds the commands that wait for the stored interfaces
	// while those are read (resume.go); nil without a store.
	early *stash.Gate[*messages.Command]
	// unmanaging are the writes of missing interfaces' drops that wait
	// for an actor of theirs still stopping (missingDrop).
	unmanaging map[string][]func()
	// parked are the commands that would spawn an interface's actor
	// while an older one of it is still stopping, routed again once it
	// has stopped (route).
	parked map[string][]*messages.Command
}

// ManagerProps is the manager's Props.
func ManagerProps(env *Env) *actor.Props {
	closing := new(bool)
	return actor.PropsFromProducer(func() actor.Actor {
		return &manager{env: env, roster: roster.New(pidID), routed: make(messages.Inflight), closing: closing}
	})
}

// pidID tells the interface actors apart in the roster.
func pidID(pid *actor.PID) string { return pid.Id }

var _ actor.SupervisorStrategy = (*manager)(nil)

// HandleFailure is the manager's supervision of its interface actors: a
// failed actor is restarted (it rebuilds from the store and the kernel)
// unless it failed more than maxRestarts times within restartWindow; then
// it is stopped and its interface marked FAILED. It runs in the manager's
// own context, so it may use the manager's state.
func (m *manager) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason, _ interface{}) {
	name, _ := m.roster.Of(child)
	rs.Fail()
	if rs.NumberOfFailures(restartWindow) > maxRestarts {
		m.env.Log.Error("interface actor failed too often; interface marked FAILED",
			zap.String("iface", name), zap.Any("reason", reason))
		m.roster.Failed(child)
		sup.StopChildren(child)
		return
	}
	m.env.Log.Error("interface actor failed; restarting it", zap.String("iface", name), zap.Any("reason", reason))
	sup.RestartChildren(child)
}

func (m *manager) Receive(ctx actor.Context) {
	defer m.publishPrimary()
	if m.early.Closed() && m.hold(ctx) {
		return
	}
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		m.resume(ctx)
	case *actor.Restarting:
		m.restarting(ctx)
	case *resumed:
		m.resumed(ctx, msg)
	case *messages.Command:
		m.route(ctx, msg)
	case *looked:
		m.answered(ctx, msg)
	case *missingDropped:
		m.dropped(ctx, msg)
	case *goneRecord:
		m.goneRead(ctx, msg)
	case *messages.Unmanaged:
		m.unmanaged(ctx, msg)
	case *messages.TookPrimary:
		m.tookPrimary(ctx, msg)
	case *actor.Terminated:
		m.terminated(ctx, msg.Who)
	case *messages.Shutdown:
		m.shutdown(ctx, msg)
	case *messages.Link:
		m.link(ctx, msg)
	case *messages.ClockJump, *messages.Reconfigure:
		for _, pid := range m.roster.Actors() {
			ctx.Send(pid, msg)
		}
	}
}

// publishPrimary makes the roster's primary the one a late host record
// is set back to (Env.primary), once a message may have moved it.
func (m *manager) publishPrimary() {
	if p := m.roster.Primary(); p != m.env.primaryName() {
		m.env.primary.Store(&p)
	}
}

// terminated forgets an interface actor that stopped: after a drop,
// release or deletion (already Unmanaged, or about to be: system
// messages overtake the user's), or by HandleFailure. What was queued in
// its mailbox was discarded with it, and is answered (Inflight.Stopped).
func (m *manager) terminated(ctx actor.Context, who *actor.PID) {
	if m.restarted {
		m.stopped(who, "") // its answers to the stops and statuses waiting
		return
	}
	name, vacant, linkBack := m.roster.Stopped(who)
	if m.env.Store != nil && name != "" && name != m.roster.Primary() {
		// A start --primary it admitted, whose word came stale (its link
		// went first: roster.TookPrimary), recorded the role all the
		// same: every write it asked for is queued now.
		m.publishPrimary()
		m.recorder(name).PrimaryLeft(m.env.Store, m.env.primaryName)
	}
	if !m.roster.Stopping(name) {
		m.writeDrops(name) // its writes are all queued now
	}
	if vacant {
		m.env.HostAddrs.Unmanage(name)
		if !linkBack && m.roster.Missing(name) && m.env.Store != nil && !*m.closing {
			// Its link was deleted: a temporary start ends with it
			// (hotplug.go), known once every write it asked for is
			// queued, which it did before it stopped.
			m.readGone(ctx, name, nil)
		}
	}
	m.stopped(who, name)
	m.routed.Stopped(who, ipc.Code(lease.Orphaned(m.roster.Standing(name), *m.closing)), name, m.recorder(name),
		m.env.kernelWorker(name, m.env.Log.With(zap.String("iface", name))), m.env.Clock)
	if !m.roster.Stopping(name) {
		parked := m.parked[name]
		delete(m.parked, name)
		for _, c := range parked {
			m.route(ctx, c)
		}
	}
	if linkBack {
		// Its link came back while it stopped, which resumed nothing
		// then: now every write it asked for is queued.
		m.link(ctx, appeared(name))
	}
}

// unmanaged ends the management of an interface its actor gave up (drop,
// release), as roster.Unmanaged says: also when its link was deleted
// after the command was routed to it (its record says so, and a link
// that appears resumes nothing), but nothing of a newer actor's. The
// actor is retired either way.
func (m *manager) unmanaged(ctx actor.Context, msg *messages.Unmanaged) {
	if m.roster.Unmanaged(msg.Ifname, msg.PID) {
		m.env.HostAddrs.Unmanage(msg.Ifname)
	}
	ctx.Send(msg.PID, &messages.Retire{})
}

// recorder returns the interface's recorder (store.Recorder).
func (m *manager) recorder(name string) *store.Recorder {
	return m.env.records.Of(m.env.Store, name, m.env.Log.With(zap.String("iface", name)))
}

// spawn puts link under management with an actor of its own, told first
// that it is the primary interface if it is: the stored primary, resumed
// or started by its address object at boot.
func (m *manager) spawn(ctx actor.Context, link Link) *actor.PID {
	// A prefix, not a fixed name: the actor of a dropped interface may
	// still be stopping when the interface is started again. A drop
	// waiting for that one is written first: the new actor's writes
	// come after it.
	m.writeDrops(link.Name)
	pid := ctx.SpawnPrefix(actor.PropsFromProducer(newIface(m.env, link)), "if-"+link.Name+"-")
	primary := m.roster.Spawned(link.Name, pid)
	m.env.HostAddrs.Manage(link.Index, link.Name)
	if primary {
		ctx.Send(pid, &messages.Primary{On: true})
	}
	return pid
}

// resumeLink spawns the actor of a managed interface with no command
// (SPEC §2: at start-up, or when its link comes back): it resumes from its
// lease record with INIT-REBOOT.
func (m *manager) resumeLink(ctx actor.Context, link Link, why string) {
	ctx.Send(m.spawn(ctx, link), &messages.Resume{})
	m.env.Log.Info(why, zap.String("iface", link.Name))
}

func (m *manager) route(ctx actor.Context, c *messages.Command) {
	if _, ok := c.Req.(messages.Stats); ok {
		if !m.env.TestHooks {
			c.Answer(messages.Fail(ipc.ErrInvalid, "unknown command %q", ipc.CmdStats))
			return
		}
		c.Answer(&messages.Result{Message: strconv.Itoa(runtime.NumGoroutine())})
		return
	}
	if *m.closing {
		c.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping"))
		return
	}
	op, isOp := messages.OpOf(c.Req)
	if op == lease.OpStatus && isOp && c.Ifname == "" {
		m.statusAll(ctx, c)
		return
	}
	name := c.Ifname
	if name == "" {
		if name = m.roster.Primary(); name == "" {
			c.Answer(messages.Fail(ipc.ErrNoPrimary, "no interface named and no primary interface"))
			return
		}
	}
	if m.looking.Wait(name, c) {
		return // routed again once the link's lookup is in
	}
	if pid, ok := m.roster.Actor(name); ok {
		m.send(ctx, pid, c)
		return
	}
	if !isOp {
		// The panic test hook, which only an interface's actor answers:
		// without one it fares as ping does.
		op = lease.OpPing
	}
	switch v, code, reason := lease.Unmanaged(op, m.roster.Standing(name)); v {
	case lease.Refuse:
		c.Answer(messages.Fail(ipc.Code(code), "%s %s", name, reason))
		return
	case lease.EndManagement:
		m.missingDrop(ctx, c, name)
		return
	case lease.ShowFailed:
		failed := messages.FailedStatus(name, storeWarnings(m.env.Store, name))
		c.Answer(&messages.Result{Status: &failed})
		return
	}
	f, ok := m.looking.Fresh(name)
	if !ok {
		m.lookUp(ctx, []string{name}, nil)
		m.looking.Wait(name, c)
		return
	}
	link, err := f.link, f.err
	if err != nil {
		c.Answer(messages.Fail(ipc.ErrInvalid, "interface %s: %v", name, err))
		return
	}
	if code, reason := lease.Manageable(link.HWAddr); code != lease.CodeOK {
		c.Answer(messages.Fail(ipc.Code(code), "interface %s %s", name, reason))
		return
	}
	if m.roster.Stopping(name) {
		// What the older actor still asks of the interface's record (a
		// drop routed to it before its link went) must come before what
		// the new one writes: c waits until it has stopped (terminated).
		if m.parked == nil {
			m.parked = make(map[string][]*messages.Command)
		}
		m.parked[name] = append(m.parked[name], c)
		return
	}
	m.send(ctx, m.spawn(ctx, link), c)
}

// tookPrimary makes the interface whose machine admitted a start --primary
// the primary one (messages.TookPrimary; roster.TookPrimary: not on a
// stale actor's word), and tells the old primary's actor it no longer
// is. The primary moves only then: a start refused by the machine
// (RUNNING, PEND) or here for want of a link (start nosuch --primary)
// never moves it away from the real one.
func (m *manager) tookPrimary(ctx actor.Context, t *messages.TookPrimary) {
	if old, tell := m.roster.TookPrimary(t.Ifname, t.PID); tell {
		ctx.Send(old, &messages.Primary{On: false})
	}
}

// send routes c to an interface actor, remembering it until answered.
func (m *manager) send(ctx actor.Context, pid *actor.PID, c *messages.Command) {
	m.routed.Add(pid, c)
	ctx.Send(pid, c)
}

// statusAll answers with the status of every managed interface, sorted by
// name: the interface actors' own and the FAILED ones'.
func (m *manager) statusAll(ctx actor.Context, c *messages.Command) {
	r := messages.OK()
	children, standings := m.roster.Actors(), m.roster.Standings()
	r.Statuses = make([]messages.IfStatus, 0, len(children)+len(standings))
	for name, s := range standings {
		if s == lease.FailedActor {
			r.Statuses = append(r.Statuses, messages.FailedStatus(name, storeWarnings(m.env.Store, name)))
		}
	}
	// An actor that stops with the question unread is answered for
	// (stopped); one that dies before answering makes the status fail at
	// statusWait.
	roll := new(messages.Roll[messages.IfStatus])
	for _, pid := range children {
		ctx.Send(pid, &messages.StatusQuery{Reply: roll.Ask(pid.Id)})
	}
	m.statuses = append(slices.DeleteFunc(m.statuses, (*messages.Roll[messages.IfStatus]).Done), roll)
	// Collected on a goroutine, so that Receive does not wait; bounded,
	// for an actor that dies before answering answers nothing.
	go func() {
		all, ok := roll.Wait(statusWait)
		if !ok {
			c.Answer(messages.Fail(ipc.ErrInternal, "interface actors did not answer"))
			return
		}
		r.Statuses = append(r.Statuses, all...)
		slices.SortFunc(r.Statuses, func(a, b messages.IfStatus) int { return strings.Compare(a.Ifname, b.Ifname) })
		c.Answer(r)
	}()
}

// shutdown drops or releases every interface and answers once all have
// (SPEC §2: SIGTERM), or once shutdownWait is out: the agent must still
// exit. The interfaces stay under management for the next start. Each
// actor answers on a channel of its own, so that one that stops counts
// as answered (stopped), and only it: one that stops with its Shutdown
// still in its mailbox (which goes with it) answers nothing, and would
// hold the agent's exit for all of shutdownWait. One that reads its
// Shutdown stops only once it has answered (commands.go settle), its
// drop or release done.
func (m *manager) shutdown(ctx actor.Context, s *messages.Shutdown) {
	*m.closing = true
	m.shutdownLookups()
	roll := new(messages.Roll[*messages.Result])
	for _, pid := range m.roster.Actors() {
		ctx.Send(pid, &messages.Shutdown{Release: s.Release, Reply: roll.Ask(pid.Id)})
	}
	m.stops = append(slices.DeleteFunc(m.stops, (*messages.Roll[*messages.Result]).Done), roll)
	log := m.env.Log
	go func() {
		if _, ok := roll.Wait(shutdownWait); !ok {
			log.Error("interfaces did not stop in time")
		}
		s.Reply <- messages.OK()
	}()
}

// stopped tells the agent's stops and the statuses of all waiting for
// pid, the actor of the interface called name, that it stopped: what it
// had not read of their questions went with it. A status stands in for
// the actor its supervisor stopped as FAILED (HandleFailure) with what a
// status asked now shows of it; one that stopped otherwise is no longer
// managed (dropped, its link gone), and is left out.
func (m *manager) stopped(pid *actor.PID, name string) {
	for _, roll := range m.stops {
		roll.Stopped(pid.Id)
	}
	failed := m.roster.Standing(name) == lease.FailedActor
	for _, roll := range m.statuses {
		if failed {
			roll.StandIn(pid.Id, messages.FailedStatus(name, storeWarnings(m.env.Store, name)))
		} else {
			roll.Stopped(pid.Id)
		}
	}
}
