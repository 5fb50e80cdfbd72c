package actors

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"

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

	root     *actor.RootContext
	self     *actor.PID
	m        *lease.Machine
	timers   map[lease.Timer]armed
	xid      uint32                // xid bound in the Router, 0 when none
	watching bool                  // ARP watched for conflicts
	applied  *transport.AddrConfig // what Apply put on the interface
	origMTU  int                   // link MTU before APPLY_MTU changed it, 0 if unchanged
	waiters  []waiter              // commands waiting for an outcome
	primary  bool                  // the primary interface (start --primary)
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
// interfaces, and other randomness from crypto/rand.
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
		cfg, err := leaseConfig(a.env, a.link)
		if err != nil {
			a.log.Error("bad configuration for the interface", zap.Error(err))
		}
		a.m = lease.New(cfg, rng{a.env.Router})
	case *actor.Stopping, *actor.Restarting:
		a.quiesce()
	case *messages.Command:
		a.command(ctx, msg)
	case *messages.StatusQuery:
		msg.Reply <- a.status()
	case *messages.Primary:
		a.primary = msg.On
	case *messages.Inbound:
		a.log.Debug("received", zap.Stringer("type", msg.Msg.MessageType()),
			zap.Uint32("xid", lease.XID(msg.Msg)), zap.Stringer("state", a.m.State()))
		a.handle(lease.Received{Msg: msg.Msg})
	case *messages.ARPInbound:
		p := msg.Packet
		a.handle(lease.ARPSeen{SenderHW: p.SenderHW, SenderIP: p.SenderIP, TargetIP: p.TargetIP})
	case *messages.TimerFired:
		if t, ok := a.timers[msg.Timer]; ok && t.gen == msg.Gen {
			delete(a.timers, msg.Timer)
			a.handle(lease.Timeout{Timer: msg.Timer})
		}
	}
}

// command answers an IPC command from the interface's own state (SPEC §3).
func (a *iface) command(ctx actor.Context, c *messages.Command) {
	req := c.Req
	st := a.m.State()
	l := a.m.Status().Lease
	switch req.Command {
	case ipc.CmdStart:
		if st != lease.Init && st != lease.Information && st != lease.InformSent {
			c.Reply <- ipc.Fail(req, ipc.ErrRunning, "%s is already %s", a.link.Name, st)
			return
		}
		if req.Args[ipc.ArgPrimary] == "yes" {
			a.primary = true
		}
		a.wait(untilBound, c.Reply, req)
		a.handle(lease.Start{})
	case ipc.CmdPing:
		c.Reply <- ipc.OK(req)
	case ipc.CmdInfo:
		c.Reply <- a.info(req)
	case ipc.CmdExtend:
		switch {
		case l != nil && l.BOOTP:
			c.Reply <- ipc.Fail(req, ipc.ErrBOOTP, "%s has a BOOTP lease, which has no renewal", a.link.Name)
		case st != lease.Bound && st != lease.Renewing && st != lease.Rebinding && st != lease.PreBound:
			c.Reply <- ipc.Fail(req, ipc.ErrOutState, "%s cannot extend in %s", a.link.Name, st)
		case a.busy(c):
		default:
			a.wait(untilExtended, c.Reply, req)
			a.handle(lease.Extend{})
		}
	case ipc.CmdInform:
		a.inform(c)
	case ipc.CmdDrop:
		a.handle(lease.Drop{})
		a.unmanage(ctx, req, c.Reply)
	case ipc.CmdRelease:
		switch {
		case l != nil && l.BOOTP:
			c.Reply <- ipc.Fail(req, ipc.ErrBOOTP, "%s has a BOOTP lease, which cannot be released", a.link.Name)
		case !st.HoldsLease() && st != lease.InitReboot:
			c.Reply <- ipc.Fail(req, ipc.ErrOutState, "%s holds no lease in %s", a.link.Name, st)
		case a.busy(c):
		default:
			a.handle(lease.Release{})
			a.unmanage(ctx, req, c.Reply)
		}
	case ipc.CmdStatus:
		s := a.status()
		r := ipc.OK(req)
		r.Status = &s
		c.Reply <- r
	default:
		c.Reply <- ipc.Fail(req, ipc.ErrInvalid, "unknown command %q", req.Command)
	}
}

// busy answers PEND when another command's transaction is outstanding:
// one transaction at a time (SPEC §3). The state is checked first, as
// illumos does, so a command the state forbids is OUTSTATE either way.
func (a *iface) busy(c *messages.Command) bool {
	if len(a.waiters) == 0 {
		return false
	}
	c.Reply <- ipc.Fail(c.Req, ipc.ErrPend, "%s: another command is in progress", a.link.Name)
	return true
}

// info reads an option of the lease, or of the INFORM's answer (SPEC §3).
func (a *iface) info(req *ipc.Request) *ipc.Reply {
	s := a.m.Status()
	var msgs []*dhcpv4.DHCPv4
	switch {
	case s.State == lease.Information:
		msgs = append(msgs, s.Info)
	case s.Lease != nil && s.State != lease.PreBound:
		msgs = append(msgs, s.Lease.ACK, s.Lease.FirstACK)
	default:
		return ipc.Fail(req, ipc.ErrOutState, "%s has no lease in %s", a.link.Name, s.State)
	}
	values, raw, err := lease.Lookup(msgs, req.Args[ipc.ArgOption])
	switch {
	case errors.Is(err, lease.ErrNoOption):
		return ipc.Fail(req, ipc.ErrInvalid, "%s: %v", a.link.Name, err)
	case err != nil:
		return ipc.Fail(req, ipc.ErrInvalid, "%v", err)
	}
	r := ipc.OK(req)
	r.Values, r.Raw = values, hex.EncodeToString(raw)
	return r
}

// inform starts an INFORM exchange for the interface's static address.
func (a *iface) inform(c *messages.Command) {
	req := c.Req
	if st := a.m.State(); st != lease.Init && st != lease.Information && st != lease.InformSent {
		c.Reply <- ipc.Fail(req, ipc.ErrOutState, "%s cannot inform in %s", a.link.Name, st)
		return
	}
	addr, ok := a.staticAddr()
	if !ok {
		c.Reply <- ipc.Fail(req, ipc.ErrOutState, "%s has no IPv4 address to inform about", a.link.Name)
		return
	}
	if a.busy(c) {
		return
	}
	a.wait(untilInformed, c.Reply, req)
	a.handle(lease.Inform{Addr: addr})
}

// staticAddr returns the interface's first IPv4 address.
func (a *iface) staticAddr() (netip.Prefix, bool) {
	addrs, err := a.env.Net.Addrs()
	if err != nil {
		a.log.Warn("listing addresses failed", zap.Error(err))
		return netip.Prefix{}, false
	}
	for _, ia := range addrs {
		if ia.Ifindex == a.link.Index {
			return ia.Prefix, true
		}
	}
	return netip.Prefix{}, false
}

// unmanage answers the command and stops the actor: after drop or release
// the interface is no longer managed (SPEC §2, Ending).
func (a *iface) unmanage(ctx actor.Context, req *ipc.Request, reply chan<- *ipc.Reply) {
	st := a.status()
	ctx.Send(ctx.Parent(), &messages.Unmanaged{Ifname: a.link.Name})
	r := ipc.OK(req)
	r.Status = &st
	reply <- r
	ctx.Stop(ctx.Self())
}
