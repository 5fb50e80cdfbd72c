package lease

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// start leaves INIT: INIT-REBOOT for a remembered lease that is still
// valid, else SELECTING after the random SELECT_WAIT, during which the
// machine stays in INIT with the start pending, as illumos does.
func (m *Machine) start(now time.Time, ev Start) {
	if m.state != Init && m.state != Information && m.state != InformSent || m.starting {
		return
	}
	m.stopAll()
	m.delayed = ev.Boot
	if p := ev.Prior; p != nil && p.Valid(now) && !p.BOOTP {
		m.reboot(now, p, ev.Adopted)
		return
	}
	if m.cfg.SelectWait > 0 {
		if wait := m.uniform(0, m.cfg.SelectWait); wait > 0 {
			m.pending, m.xid, m.info = nil, 0, nil
			m.setState(Init)
			m.starting = true
			m.arm(Wait, now.Add(wait))
			return
		}
	}
	m.selecting(now)
}

// selecting enters SELECTING and sends DISCOVER.
func (m *Machine) selecting(now time.Time) {
	m.pending, m.offer, m.offers, m.xid = nil, nil, nil, 0
	m.starting = false
	m.stop(Retransmit)
	m.setState(Selecting)
	m.discover(now)
}

// discover starts an exchange with a DISCOVER and, with OFFER_WAIT, the
// offer collection (RFC 2131 §4.4.1).
func (m *Machine) discover(now time.Time) {
	m.newExchange(now)
	m.offers = nil
	m.collecting = m.cfg.OfferWait > 0
	if m.collecting {
		m.arm(Wait, now.Add(m.cfg.OfferWait))
	}
	m.transmit(now, m.cfg.discover(m.xid), netip.Addr{}, netip.Addr{})
}

// offered records an acceptable offer, and requests the best one at once
// unless offers are still being collected.
func (m *Machine) offered(now time.Time, msg *dhcpv4.DHCPv4) {
	if wait, ok := m.v6OnlyWait(msg); ok {
		// RFC 8925 §3.2: the address is not requested (a server may
		// offer none: yiaddr 0.0.0.0, so this comes before the checks).
		m.v6Only(now, wait)
		return
	}
	if err := m.cfg.checkReply(msg); err != nil {
		m.counts.BadOffers++
		m.refuse(now, reasonOf(err), fmt.Sprintf("offer from %v refused: %v", sender(msg), err))
		return
	}
	m.keep(msg)
	if !m.collecting {
		m.nextOffer(now)
	}
}

// nextOffer requests the best offer not yet tried, or goes back to
// SELECTING with a new DISCOVER when none is left.
func (m *Machine) nextOffer(now time.Time) {
	if len(m.offers) == 0 {
		m.selecting(now)
		return
	}
	i := m.best()
	offer := m.offers[i]
	m.offers = slices.Delete(m.offers, i, i+1)
	m.stop(Wait)
	if isBOOTP(offer) {
		m.reqAt = now
		m.acked(now, offer) // BOOTP has no REQUEST: the reply is the lease
		return
	}
	m.offer = offer
	m.reqAt = now // RFC 2131 §4.4.1: the lease counts from the REQUEST
	m.setState(Requesting)
	m.transmit(now, m.cfg.requestSelecting(m.xid, offer), netip.Addr{}, netip.Addr{})
}

// maxOffers bounds the offers kept, while OFFER_WAIT collects them and
// after, as the ones to try next. The DISCOVER is broadcast: any host on
// the segment sees its xid and chaddr and could otherwise grow the list
// by every offer it floods for the whole wait (SPEC §2: nothing from the
// network is taken on trust). A segment has a handful of servers.
const maxOffers = 32

// keep adds an acceptable offer to those kept; beyond maxOffers it takes
// the place of the worst one kept (of the worst, the last to arrive) only
// when it is better, so that best picks as it would from them all.
func (m *Machine) keep(msg *dhcpv4.DHCPv4) {
	if len(m.offers) < maxOffers {
		m.offers = append(m.offers, msg)
		return
	}
	score := m.scorer()
	worst := 0
	for i, o := range m.offers {
		if score(o) <= score(m.offers[worst]) {
			worst = i
		}
	}
	if score(msg) > score(m.offers[worst]) {
		m.offers = append(slices.Delete(m.offers, worst, worst+1), msg)
	}
}

// best picks the offer to request: a DHCP offer beats a BOOTP reply, and
// more of the requested options beat fewer; ties go to the first to arrive.
func (m *Machine) best() int {
	score := m.scorer()
	best := 0
	for i, o := range m.offers {
		if score(o) > score(m.offers[best]) {
			best = i
		}
	}
	return best
}

// scorer is how best ranks offers: a DHCP offer beats a BOOTP reply, and
// more of the requested options beat fewer.
func (m *Machine) scorer() func(*dhcpv4.DHCPv4) int {
	params := m.cfg.params()
	return func(o *dhcpv4.DHCPv4) int {
		s := 0
		if !isBOOTP(o) {
			s += 1000
		}
		for _, p := range params {
			if o.Options.Has(p) {
				s++
			}
		}
		return s
	}
}

// reboot verifies a remembered lease (RFC 2131 §3.2): a broadcast REQUEST
// with only option 50. An adopted lease is on the interface already and
// is held as applied, so a NAK removes it.
func (m *Machine) reboot(now time.Time, p *Lease, adopted bool) {
	m.prior = p
	if adopted {
		m.lease, m.applied = p, true
		m.emit(Apply{Lease: p}) // refresh the lifetimes from the remembered times
	}
	m.newExchange(now)
	m.setState(InitReboot)
	m.transmit(now, m.cfg.requestReboot(m.xid, p.Addr.Addr()), netip.Addr{}, netip.Addr{})
}

// rebootSilence: no server answered the INIT-REBOOT. Keep using the lease
// until it runs out, unless only verified leases may be used.
func (m *Machine) rebootSilence(now time.Time) {
	p := m.prior
	m.prior = nil
	if m.cfg.VerifiedLeaseOnly || !p.Valid(now) {
		m.unapply()
		m.selecting(now)
		return
	}
	m.stop(Retransmit)
	m.pending, m.xid = nil, 0
	ev := EventBound
	if m.applied {
		ev = EventExtend
	}
	m.bind(now, p, ev)
}

// acked handles an ACK (or a BOOTP reply, or a rapid-commit ACK) that
// answers our REQUEST.
func (m *Machine) acked(now time.Time, msg *dhcpv4.DHCPv4) {
	if wait, ok := m.v6OnlyWait(msg); ok && m.state != Renewing && m.state != Rebinding {
		m.v6Only(now, wait) // RFC 8925 §3.2: INIT-REBOOT, or an acquisition's ACK
		return
	}
	want, asked := netip.Addr{}, netip.Addr{}
	switch m.state {
	case Requesting:
		want, _ = addr4(m.offer.YourIPAddr)
		asked, _ = addr4(m.offer.ServerIdentifier())
	case InitReboot:
		want = m.prior.Addr.Addr()
	case Renewing:
		want, asked = m.lease.Addr.Addr(), m.lease.Server
	case Rebinding:
		want = m.lease.Addr.Addr() // any server may answer a broadcast REBIND
	}
	if got, ok := addr4(msg.ServerIdentifier()); ok && asked.IsValid() && got != asked && !isBOOTP(msg) {
		// SPEC §2, RFC 2131 §3.1 step 3: the REQUEST named (or was sent
		// to) one server; another's ACK answers nothing we asked.
		m.counts.Ignored++
		m.refuse(now, ReasonServerMismatch, fmt.Sprintf("ACK from server %v ignored: the request was for %v", got, asked))
		return
	}
	if err := m.cfg.checkReply(msg); err != nil {
		m.counts.BadOffers++
		m.refuse(now, reasonOf(err), fmt.Sprintf("ACK from %v refused: %v", sender(msg), err))
		if m.state == Requesting {
			m.unusableAck(now) // the server asked for answered, uselessly
		}
		return
	}
	if got, _ := addr4(msg.YourIPAddr); want.IsValid() && got != want {
		// SPEC §2: an ACK naming another address is not ours to take.
		m.counts.Ignored++
		m.refuse(now, ReasonAddrMismatch, fmt.Sprintf("ACK from %v ignored: it names %v, %v was asked for", sender(msg), got, want))
		return
	}
	l, probs := m.cfg.grant(msg, m.reqAt)
	for _, p := range probs {
		m.refuse(now, p.reason, fmt.Sprintf("ACK from %v: %s", l.Server, p.detail))
	}
	m.stop(Retransmit)
	m.pending, m.offer, m.offers = nil, nil, nil
	switch m.state {
	case Renewing, Rebinding:
		l.FirstACK = m.lease.FirstACK
		m.xid = 0
		m.bind(now, l, EventExtend)
	case InitReboot:
		l.FirstACK = m.prior.FirstACK
		m.prior = nil
		m.xid = 0
		switch {
		case m.applied:
			m.bind(now, l, EventExtend) // a held lease confirmed: it was bound all along
		case m.cfg.ARPProbe:
			m.startProbe(now, l) // RFC 5227 §2.1: check an address before using it
		default:
			m.bind(now, l, EventBound)
		}
	default:
		m.xid = 0
		if m.cfg.ARPProbe {
			m.startProbe(now, l)
			return
		}
		m.bind(now, l, EventBound)
	}
}

// nak: the server refused our REQUEST. Whatever was applied goes and the
// client starts over (RFC 2131 §3.1 step 5, §4.4.5).
func (m *Machine) nak(now time.Time, msg *dhcpv4.DHCPv4) {
	detail := fmt.Sprintf("NAK from %v", sender(msg))
	if text := msg.Message(); text != "" {
		detail += ": " + quoted(text)
	}
	m.refuse(now, ReasonNak, detail)
	m.notify(EventNak)
	held := m.applied
	m.unapply()
	m.prior = nil
	if held {
		m.notify(EventExpire)
	}
	m.startOver(now)
}

// sender names the server of a reply for people: its server identifier,
// else the address of the BOOTP server.
func sender(msg *dhcpv4.DHCPv4) netip.Addr {
	if a, ok := addr4(msg.ServerIdentifier()); ok {
		return a
	}
	a, _ := addr4(msg.ServerIPAddr)
	return a
}

// quoted makes text from the network safe to show a person: Go-quoted
// ASCII (no control characters or escape sequences reach a terminal),
// at most maxQuoted bytes of it.
func quoted(text string) string {
	if len(text) > maxQuoted {
		text = text[:maxQuoted] + "..."
	}
	return strconv.QuoteToASCII(text)
}

// maxQuoted bounds the server's text kept in a refusal (option 56).
const maxQuoted = 80
