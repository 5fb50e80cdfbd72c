package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// handle feeds one event to the machine and carries out its actions.
func (a *iface) handle(ev lease.Event) {
	now := a.env.Clock.Now()
	before := a.m.Status().Lease
	acts := a.m.Handle(now, ev)
	// Listen for the transaction's replies before its first message
	// leaves: a fast server must not answer into the void.
	a.listen()
	job := -1 // the hook of this batch's latest event, which holds its replies
	var replies []lease.Reply
	for _, act := range acts {
		switch act := act.(type) {
		case lease.Send:
			a.send(act)
		case lease.SendARP:
			a.sendARP(act)
		case lease.ArmTimer:
			a.arm(act.Timer, act.At.Sub(now))
		case lease.StopTimer:
			a.stopTimer(act.Timer)
		case lease.Apply:
			a.apply(act.Lease, now)
		case lease.Remove:
			a.remove()
		case lease.Transition:
			a.log.Info("state change", zap.Stringer("from", act.From), zap.Stringer("state", act.To),
				zap.Uint32("xid", a.m.Status().XID))
			a.publish(&ipc.Event{Kind: "state", State: act.To.String(), From: act.From.String()})
		case lease.Notify:
			job = a.notify(act.Event, before)
		case lease.Persist:
			a.persist(act.Lease)
		case lease.Forget:
			a.forget()
		case lease.Manage:
			a.inc.running = act.On // a restarted incarnation resumes it
			a.manage(act)
		case lease.Reply:
			if job >= 0 {
				a.hooks.jobs[job].replies = append(a.hooks.jobs[job].replies, act)
			} else {
				replies = append(replies, act)
			}
		}
	}
	a.nextHook()
	for _, r := range replies {
		a.reply(r)
	}
}

func (a *iface) send(s lease.Send) {
	b := s.Msg.ToBytes()
	var err error
	if s.To.IsValid() {
		err = a.env.Sender.Unicast(a.link.Index, s.From, s.To, b)
	} else {
		err = a.env.Sender.Broadcast(a.link.Index, s.From, b)
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

func (a *iface) sendARP(s lease.SendARP) {
	p := transport.ProbeARP(a.link.HWAddr, s.Addr)
	if s.Op == lease.ARPAnnounce {
		p = transport.AnnounceARP(a.link.HWAddr, s.Addr)
	}
	if err := a.env.Sender.ARP(a.link.Index, p); err != nil {
		a.log.Warn("ARP send failed", zap.Stringer("address", s.Addr), zap.Error(err))
	}
}

// listen keeps the Router's binding in step with the machine's transaction,
// and watches ARP while an address is being probed.
func (a *iface) listen() {
	st := a.m.Status()
	if st.XID != a.xid {
		if a.xid != 0 {
			a.env.Router.Unbind(a.xid, a.link.HWAddr)
		}
		a.xid = st.XID
		if st.XID != 0 {
			root, self := a.root, a.self
			a.env.Router.Bind(st.XID, a.link.Index, a.link.HWAddr, func(m *dhcpv4.DHCPv4) {
				root.Send(self, &messages.Inbound{Msg: m})
			})
		}
	}
	if probing := st.Probing; probing != a.watching {
		a.watching = probing
		if probing {
			root, self := a.root, a.self
			a.env.ARP.Watch(a.link.Index, func(p transport.ARPPacket) {
				root.Send(self, &messages.ARPInbound{Packet: p})
			})
		} else {
			a.env.ARP.Unwatch(a.link.Index)
		}
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
	if a.watching {
		a.env.ARP.Unwatch(a.link.Index)
		a.watching = false
	}
}

// apply puts the lease on the interface: address with prefix and both
// lifetimes equal to the lease's remaining time, its routes, and its MTU
// when APPLY_MTU is set.
func (a *iface) apply(l *lease.Lease, now time.Time) {
	c := a.addrConfig(l, now)
	if a.applied != nil && a.applied.Addr != c.Addr {
		a.remove() // a different lease replaces the old one
	}
	if err := a.env.Net.Apply(c); err != nil {
		a.log.Error("applying lease failed", zap.Stringer("address", l.Addr), zap.Error(err))
	}
	a.env.addrsChanged()
	if a.applied != nil {
		// A renewal leaves exactly the routes its ACK names (SPEC §2).
		a.withdraw(*a.applied, c)
	}
	// Remember it even when it failed part-way, so remove takes back
	// whatever did get applied.
	a.applied = &c
	a.setDNS(l)
	a.applyHostname(l.ACK.HostName())
	if l.MTU > 0 && a.env.Cfg().Bool(a.link.Name, "APPLY_MTU") {
		a.applyMTU(l.MTU)
	}
	a.log.Info("lease applied", zap.Stringer("address", l.Addr), zap.Stringer("server", l.Server),
		zap.Duration("lease", l.Duration), zap.Bool("infinite", l.Infinite), zap.Int("routes", len(c.Routes)))
}

func (a *iface) applyMTU(mtu int) {
	cur, err := a.env.Net.MTU(a.link.Index)
	if err != nil || cur == mtu {
		return
	}
	if a.origMTU == 0 {
		a.origMTU = cur
	}
	if err := a.env.Net.SetMTU(a.link.Index, mtu); err != nil {
		a.log.Error("applying MTU failed", zap.Int("mtu", mtu), zap.Error(err))
	}
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
	a.env.addrsChanged()
	a.applied = nil
	a.clearDNS()
	a.releaseHostname()
	if a.origMTU != 0 {
		if err := a.env.Net.SetMTU(a.link.Index, a.origMTU); err != nil {
			a.log.Error("restoring MTU failed", zap.Int("mtu", a.origMTU), zap.Error(err))
		}
		a.origMTU = 0
	}
}

// notify logs an event, tells watchers, and queues its hook, returning its
// place in the queue. before is the lease held before the event, which the
// hook of an ending event describes.
func (a *iface) notify(e lease.EventName, before *lease.Lease) int {
	l := a.m.Status().Lease
	if l == nil {
		l = before
	}
	fields := []zap.Field{zap.String("event", string(e)), zap.Stringer("state", a.m.State())}
	if l != nil {
		fields = append(fields, zap.Stringer("address", l.Addr))
	}
	a.log.Info("event", fields...)
	a.publish(&ipc.Event{Kind: "event", State: a.m.State().String(), Event: string(e)})
	return a.enqueue(e, l)
}

// publish completes ev with the interface's name, time and counters and
// hands it to watchers.
func (a *iface) publish(ev *ipc.Event) {
	if a.env.Events == nil {
		return
	}
	st := a.m.Status()
	ev.Time = a.env.Clock.Now().Round(0)
	ev.Ifname = a.link.Name
	ev.Sent, ev.Received, ev.Declined = st.Counters.Sent, st.Counters.Received, st.Counters.Declined
	if st.Lease != nil {
		ev.Address = st.Lease.Addr.Addr().String()
	}
	a.env.Events.Publish(ev)
}
