package actors

import (
	"crypto/rand"
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// iface is the actor that owns one interface: its lease machine, its timers
// and its one outstanding transaction.
type iface struct {
	env  *Env
	link Link
	log  *zap.Logger

	root    *actor.RootContext
	self    *actor.PID
	m       *lease.Machine
	timers  map[lease.Timer]armed
	xid     uint32                // xid bound in the Router, 0 when none
	applied *transport.AddrConfig // what Apply put on the interface
	waiters []chan<- *ipc.Reply   // start commands waiting for BOUND
}

type armed struct {
	gen  uint64
	stop Stopper
}

func newIface(env *Env, link Link) actor.Producer {
	return func() actor.Actor {
		return &iface{
			env:  env,
			link: link,
			log:  env.Log.With(zap.String("iface", link.Name)),
		}
	}
}

// rng draws xids from the Router, which keeps them unique across
// interfaces, and jitter from crypto/rand.
type rng struct{ r Router }

func (g rng) XID() uint32 { return g.r.NewXID() }

func (g rng) Int63n(n int64) int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) % n
}

func (a *iface) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.root = ctx.ActorSystem().Root
		a.self = ctx.Self()
		a.timers = make(map[lease.Timer]armed)
		a.m = lease.New(lease.Config{
			HWAddr:         a.link.HWAddr,
			MaxMessageSize: maxMessageSize(a.link.MTU),
		}, rng{a.env.Router})
	case *actor.Stopping, *actor.Restarting:
		a.quiesce()
	case *messages.Command:
		a.command(ctx, msg)
	case *messages.StatusQuery:
		msg.Reply <- a.status()
	case *messages.Inbound:
		a.log.Debug("received", zap.Stringer("type", msg.Msg.MessageType()),
			zap.Uint32("xid", lease.XID(msg.Msg)), zap.Stringer("state", a.m.State()))
		a.handle(lease.Received{Msg: msg.Msg})
	case *messages.TimerFired:
		if t, ok := a.timers[msg.Timer]; ok && t.gen == msg.Gen {
			delete(a.timers, msg.Timer)
			a.handle(lease.Timeout{Timer: msg.Timer})
		}
	}
}

// maxMessageSize is option 57 for an interface MTU: the largest DHCP
// message that fits in one IPv4 datagram (RFC 2132 §9.10), at least 576.
func maxMessageSize(mtu int) uint16 {
	return uint16(min(max(mtu, 576), 65535))
}

func (a *iface) command(ctx actor.Context, c *messages.Command) {
	req := c.Req
	switch req.Command {
	case ipc.CmdStart:
		if st := a.m.State(); st != lease.Init {
			c.Reply <- ipc.Fail(req, ipc.ErrRunning, "%s is already %s", a.link.Name, st)
			return
		}
		a.waiters = append(a.waiters, c.Reply)
		a.handle(lease.Start{})
	case ipc.CmdDrop:
		a.handle(lease.Drop{})
		a.unmanage(ctx, req, c.Reply)
	case ipc.CmdRelease:
		if st := a.m.State(); !st.HoldsLease() {
			c.Reply <- ipc.Fail(req, ipc.ErrOutState, "%s holds no lease in %s", a.link.Name, st)
			return
		}
		a.handle(lease.Release{})
		a.unmanage(ctx, req, c.Reply)
	case ipc.CmdStatus:
		st := a.status()
		r := ipc.OK(req)
		r.Status = &st
		c.Reply <- r
	default:
		c.Reply <- ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command)
	}
}

// unmanage answers c and stops the actor: after drop or release the
// interface is no longer managed (SPEC §2, Ending).
func (a *iface) unmanage(ctx actor.Context, req *ipc.Request, reply chan<- *ipc.Reply) {
	st := a.status()
	ctx.Send(ctx.Parent(), &messages.Unmanaged{Ifname: a.link.Name})
	r := ipc.OK(req)
	r.Status = &st
	reply <- r
	ctx.Stop(ctx.Self())
}

// handle feeds one event to the machine and carries out its actions.
func (a *iface) handle(ev lease.Event) {
	now := a.env.Clock.Now()
	for _, act := range a.m.Handle(now, ev) {
		switch act := act.(type) {
		case lease.Send:
			a.send(act)
		case lease.ArmTimer:
			a.arm(act.Timer, act.At.Sub(now))
		case lease.StopTimer:
			a.stopTimer(act.Timer)
		case lease.Apply:
			a.apply(act.Lease, now)
		case lease.Remove:
			a.remove()
		case lease.Transition:
			a.transition(act)
		}
	}
	a.listen()
}

func (a *iface) send(s lease.Send) {
	b := s.Msg.ToBytes()
	var err error
	if s.To.IsValid() {
		err = a.env.Sender.Unicast(a.link.Index, s.From, s.To, b)
	} else {
		err = a.env.Sender.Broadcast(a.link.Index, b)
	}
	fields := []zap.Field{zap.Stringer("type", s.Msg.MessageType()), zap.Uint32("xid", lease.XID(s.Msg)),
		zap.Stringer("state", a.m.State())}
	if err != nil {
		// Not fatal: the retransmission timer tries again.
		a.log.Warn("send failed", append(fields, zap.Error(err))...)
		return
	}
	a.log.Debug("sent", fields...)
}

// listen keeps the Router's binding in step with the machine's transaction.
func (a *iface) listen() {
	x := a.m.Status().XID
	if x == a.xid {
		return
	}
	if a.xid != 0 {
		a.env.Router.Unbind(a.xid, a.link.HWAddr)
	}
	a.xid = x
	if x != 0 {
		root, self := a.root, a.self
		a.env.Router.Bind(x, a.link.HWAddr, func(m *dhcpv4.DHCPv4) {
			root.Send(self, &messages.Inbound{Msg: m})
		})
	}
}

func (a *iface) arm(t lease.Timer, d time.Duration) {
	a.stopTimer(t)
	gen := a.env.gens.Add(1)
	root, self := a.root, a.self
	a.timers[t] = armed{gen: gen, stop: a.env.Clock.AfterFunc(d, func() {
		root.Send(self, &messages.TimerFired{Timer: t, Gen: gen})
	})}
}

func (a *iface) stopTimer(t lease.Timer) {
	if old, ok := a.timers[t]; ok {
		old.stop.Stop()
		delete(a.timers, t)
	}
}

// quiesce stops timers and stops listening, leaving the kernel as it is: a
// restarted incarnation or the next agent takes over from there.
func (a *iface) quiesce() {
	for t := range a.timers {
		a.stopTimer(t)
	}
	if a.xid != 0 {
		a.env.Router.Unbind(a.xid, a.link.HWAddr)
		a.xid = 0
	}
}

// apply puts the lease on the interface: address with prefix and both
// lifetimes equal to the lease's remaining time, and the default route of
// option 3.
func (a *iface) apply(l *lease.Lease, now time.Time) {
	c := transport.AddrConfig{Ifindex: a.link.Index, Addr: l.Addr, Metric: int(a.env.Config.Uint(a.link.Name, "ROUTE_METRIC"))}
	if !l.Infinite {
		c.Valid = l.Remaining(now)
		c.Preferred = c.Valid
	}
	if len(l.Routers) > 0 {
		c.Routes = []transport.Route{{Dst: netip.PrefixFrom(netip.IPv4Unspecified(), 0), Gw: l.Routers[0]}}
	}
	if err := a.env.Net.Apply(c); err != nil {
		a.log.Error("applying lease failed", zap.Stringer("address", l.Addr), zap.Error(err))
	}
	// Remember it even when it failed part-way, so remove takes back
	// whatever did get applied.
	a.applied = &c
	a.log.Info("lease applied", zap.Stringer("address", l.Addr), zap.Stringer("server", l.Server),
		zap.Duration("lease", l.Duration), zap.Bool("infinite", l.Infinite))
}

func (a *iface) remove() {
	if a.applied == nil {
		return
	}
	if err := a.env.Net.Remove(*a.applied); err != nil {
		a.log.Error("removing lease failed", zap.Stringer("address", a.applied.Addr), zap.Error(err))
	} else {
		a.log.Info("lease removed", zap.Stringer("address", a.applied.Addr))
	}
	a.applied = nil
}

func (a *iface) transition(t lease.Transition) {
	a.log.Info("state change", zap.Stringer("from", t.From), zap.Stringer("state", t.To),
		zap.Uint32("xid", a.m.Status().XID))
	switch {
	case t.To == lease.Bound:
		st := a.status()
		for _, w := range a.waiters {
			w <- &ipc.Reply{Version: ipc.Version, Status: &st}
		}
		a.waiters = nil
	case t.To == lease.Init:
		for _, w := range a.waiters {
			w <- ipc.Fail(nil, ipc.ErrOutState, "%s stopped before it was bound", a.link.Name)
		}
		a.waiters = nil
	}
}

// status reports the interface as status shows it (SPEC §3).
func (a *iface) status() ipc.Status {
	s := a.m.Status()
	st := ipc.Status{
		Ifname:    a.link.Name,
		State:     s.State.String(),
		Flags:     []string{},
		Sent:      s.Counters.Sent,
		Received:  s.Counters.Received,
		BadOffers: s.Counters.BadOffers,
		Declined:  s.Counters.Declined,
	}
	if s.State.Acquiring() {
		st.Flags = append(st.Flags, "BUSY")
	}
	if l := s.Lease; l != nil {
		st.Address = l.Addr.Addr().String()
		st.Prefix = l.Addr.Bits()
		st.Server = l.Server.String()
		began := l.Began.Round(0)
		st.Began = &began
		if !l.Infinite {
			exp := l.Expires().Round(0)
			st.Expires = &exp
		}
	}
	return st
}
