package lease

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// startProbe enters PRE_BOUND: the address is checked with RFC 5227 probes
// before it is used. The lease is held but not applied. After a start the
// agent made on its own (Start.Boot) the first probe waits a random
// 0..PROBE_WAIT (RFC 5227 §2.1.1), so that hosts and interfaces starting
// together do not probe in step; an operator's start probes at once, as
// dhcpcd does (SPEC §2 "Binding"). Only the first probe after the start
// waits: a probe after a DECLINE is already 10 s away from the herd.
func (m *Machine) startProbe(now time.Time, l *Lease) {
	m.lease, m.applied = l, false
	m.probes = 0
	m.setState(PreBound)
	if m.delayed {
		m.delayed = false
		m.arm(Probe, now.Add(m.uniform(0, probeWait)))
		return
	}
	m.probe(now)
}

// probe sends one ARP probe and arms the next step: the next probe
// PROBE_MIN..PROBE_MAX later, or, after the last, the claim ANNOUNCE_WAIT
// later (RFC 5227 §2.1.1).
func (m *Machine) probe(now time.Time) {
	m.probes++
	m.emit(SendARP{Op: ARPProbe, Addr: m.lease.Addr.Addr()})
	if m.probes >= probeNum {
		m.arm(Probe, now.Add(announceWait))
		return
	}
	m.arm(Probe, now.Add(m.uniform(probeMin, probeMax)))
}

// probeTimer paces probes in PRE_BOUND and announcements in BOUND.
func (m *Machine) probeTimer(now time.Time) {
	switch {
	case m.state == PreBound && m.probes < probeNum:
		m.probe(now)
	case m.state == PreBound:
		m.bind(now, m.lease, EventBound) // nobody answered: the address is ours
	case m.state == Bound && m.probes < announceNum:
		m.announce(now)
	}
}

// announce claims the address (RFC 5227 §2.3) so neighbours update their
// caches; the second announcement follows ANNOUNCE_INTERVAL later.
func (m *Machine) announce(now time.Time) {
	m.probes++
	m.emit(SendARP{Op: ARPAnnounce, Addr: m.lease.Addr.Addr()})
	if m.probes < announceNum {
		m.arm(Probe, now.Add(announceInterval))
	}
}

// arpSeen checks ARP heard while probing for a conflict (RFC 5227 §2.1.1):
// another host using the address, or probing for it too.
func (m *Machine) arpSeen(now time.Time, a ARPSeen) {
	if m.state != PreBound || bytes.Equal(a.SenderHW, m.cfg.HWAddr) {
		return
	}
	addr := m.lease.Addr.Addr()
	if a.SenderIP == addr || (!a.SenderIP.IsValid() || a.SenderIP.IsUnspecified()) && a.TargetIP == addr {
		m.decline(now, a)
	}
}

// decline refuses the probed address (RFC 2131 §3.1 step 5): DECLINE,
// then ten seconds before a new DISCOVER. seen is the ARP that showed the
// address in use.
func (m *Machine) decline(now time.Time, seen ARPSeen) {
	l := m.lease
	m.refuse(now, ReasonDecline, fmt.Sprintf("address %v from %v is in use (ARP from %v): declined", l.Addr.Addr(), l.Server, seen.SenderHW))
	m.stop(Probe)
	m.lease = nil
	m.counts.Declined++
	m.counts.Sent++
	m.emit(Send{Msg: m.cfg.decline(m.rnd.XID(), l)})
	m.notify(EventDecline)
	m.xid = 0
	m.setState(Declining)
	m.arm(Wait, now.Add(m.failWait(declineWait)))
}

// bind applies l and arms its timers; ev is the event to report.
func (m *Machine) bind(now time.Time, l *Lease, ev EventName) {
	m.stop(Probe)
	m.stop(Wait)
	l.schedule(m.rnd)
	if !l.Valid(now) {
		m.expiredUnused(now, l)
		return
	}
	if l.held() {
		m.fails = 0
	}
	m.lease, m.applied = l, true
	m.emit(Apply{Lease: l})
	m.setState(Bound)
	m.notify(ev)
	m.armLease(now)
	if ev == EventBound && m.cfg.ARPProbe {
		m.probes = 0
		m.announce(now)
	}
}

// armLease arms T1, T2 and expiry; an infinite lease has none, a lease
// of 0 s or 1 s only the expiry; past T2 no renewal (RFC 2131 §4.4.5).
func (m *Machine) armLease(now time.Time) {
	l := m.lease
	if l.Infinite {
		m.stop(Renew)
		m.stop(Rebind)
		m.stop(Expire)
		return
	}
	if !l.T1.IsZero() {
		if now.Before(l.T2) {
			m.arm(Renew, l.T1)
		} else {
			m.stop(Renew) // past T2: no unicast RENEW, straight to REBINDING
		}
		m.arm(Rebind, l.T2)
	}
	m.arm(Expire, l.Expires())
}

// renew is T1: a unicast REQUEST to the server from the leased address
// (RFC 2131 §4.4.5).
func (m *Machine) renew(now time.Time) {
	if m.state != Bound || m.lease.BOOTP || m.down {
		return
	}
	if !m.lease.T2.IsZero() && !now.Before(m.lease.T2) {
		m.rebind(now) // T2 has passed: RFC 2131 §4.4.5 says broadcast
		return
	}
	m.newExchange(now)
	m.setState(Renewing)
	a := m.lease.Addr.Addr()
	m.transmit(now, m.cfg.requestExtend(m.xid, a), a, m.lease.Server)
}

// rebind is T2: the same REQUEST, broadcast, to any server.
func (m *Machine) rebind(now time.Time) {
	if m.state != Bound && m.state != Renewing || m.down {
		return
	}
	m.newExchange(now)
	m.setState(Rebinding)
	a := m.lease.Addr.Addr()
	m.transmit(now, m.cfg.requestExtend(m.xid, a), a, netip.Addr{})
}

// extend renews at once on request; while already renewing or rebinding
// it sends the REQUEST again now.
func (m *Machine) extend(now time.Time) {
	switch m.state {
	case Bound:
		m.stop(Renew)
		m.renew(now)
	case Renewing, Rebinding:
		m.resend(now)
	}
}

// expire ends a lease that ran out (RFC 2131 §4.4.5): the address goes,
// and the client starts over.
func (m *Machine) expire(now time.Time) {
	if m.lease == nil {
		return
	}
	m.unapply()
	m.notify(EventExpire)
	m.startOver(now) // a lease lost counts as a failure for the backoff
}

// stopAll stops every timer.
func (m *Machine) stopAll() {
	for t := range NumTimers {
		m.stop(t)
	}
}

// unapply removes the applied lease and stops every timer.
func (m *Machine) unapply() {
	m.stopAll()
	if m.lease != nil && m.applied {
		m.emit(Remove{Lease: m.lease})
	}
	m.lease, m.applied = nil, false
	m.pending, m.offer, m.offers = nil, nil, nil
}

// reset abandons whatever is going on and returns to INIT.
func (m *Machine) reset() {
	m.unapply()
	m.starting, m.delayed = false, false
	m.prior, m.info = nil, nil
	m.v6Until = time.Time{}
	m.xid = 0
	m.setState(Init)
}

// release sends RELEASE for the held lease (RFC 2131 §4.4.6), unicast from
// the leased address to the server when it is applied, through the packet
// socket otherwise, then removes it and forgets it.
func (m *Machine) release() {
	l := m.lease
	if l == nil {
		l = m.prior
	}
	if l != nil && !l.BOOTP {
		msg := m.cfg.release(m.rnd.XID(), l)
		m.counts.Sent++
		if m.applied {
			m.emit(Send{Msg: msg, From: l.Addr.Addr(), To: l.Server})
		} else {
			m.emit(Send{Msg: msg})
		}
	}
	m.reset()
	m.notify(EventRelease)
}

// startInform asks for configuration for a static address with INFORM
// (RFC 2131 §4.4.3), broadcast from that address.
func (m *Machine) startInform(now time.Time, addr netip.Prefix) {
	if m.state != Init && m.state != Information && m.state != InformSent {
		return
	}
	m.stopAll()
	m.inform = addr
	m.newExchange(now)
	m.setState(InformSent)
	m.transmit(now, m.cfg.inform(m.xid, addr.Addr()), addr.Addr(), netip.Addr{})
}

// informed keeps the ACK to our INFORM for option queries.
func (m *Machine) informed(msg *dhcpv4.DHCPv4) {
	m.stop(Retransmit)
	m.pending, m.xid = nil, 0
	m.info = msg
	m.setState(Information)
	m.notify(EventInform)
}

// linkDown keeps the lease and its timers but stops the exchange in
// progress: nothing is sent without a carrier.
func (m *Machine) linkDown() {
	m.down = true
	m.stop(Retransmit)
	if m.state == PreBound {
		m.stop(Probe) // the probe is void without a link; LinkUp starts over
	}
}

// linkUp resumes after a carrier loss. The host may now be on another
// network, so a held lease is verified (SPEC §2: carrier back ->
// INIT-REBOOT); an unfinished acquisition starts over.
func (m *Machine) linkUp(now time.Time) {
	if !m.down {
		return
	}
	m.down = false
	switch {
	case m.applied:
		m.verify(now)
	case m.starting:
		m.starting = false
		m.selecting(now) // the SELECT_WAIT timer stayed quiet while down
	case m.state == V6Only:
		m.v6OnlyOver(now) // a network attachment event (RFC 8925 §3.2)
	case m.state == Init || m.state == Information:
	case m.state == InformSent:
		m.startInform(now, m.inform)
	default:
		m.lease = nil
		m.selecting(now)
	}
}

// verify confirms the applied lease with INIT-REBOOT. Its expiry stays
// armed: a lease that runs out meanwhile is removed as usual.
func (m *Machine) verify(now time.Time) {
	if !m.applied || m.lease.BOOTP || m.down {
		return
	}
	m.stop(Retransmit)
	m.stop(Renew)
	m.stop(Rebind)
	m.stop(Probe)
	m.prior = m.lease
	m.newExchange(now)
	m.setState(InitReboot)
	m.transmit(now, m.cfg.requestReboot(m.xid, m.lease.Addr.Addr()), netip.Addr{}, netip.Addr{})
}
