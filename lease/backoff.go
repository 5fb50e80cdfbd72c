package lease

import (
	"fmt"
	"time"
)

// SPEC §2 "Keeping the lease": repeated failures (NAKs, declines, unusable
// ACKs, leases that run out) back off exponentially, 4 s doubling to 64 s,
// before the next DISCOVER, so a hostile or broken server never draws more
// than a trickle of packets and hooks. The first failure since the last
// lease that held starts over at once (RFC 2131 §3.1 step 5), a DECLINE
// after its ten seconds (§3.1 step 5 again).

// failWait counts one more failure and returns how long to wait before
// the next DISCOVER: floor for the first, then at least the backoff.
func (m *Machine) failWait(floor time.Duration) time.Duration {
	m.fails++
	if m.fails == 1 {
		return floor
	}
	return max(floor, min(firstBackoff<<min(m.fails-2, 4), maxBackoff))
}

// startOver goes back to SELECTING after a failure, with a DISCOVER at
// once for the first failure and after the backoff for the next ones.
func (m *Machine) startOver(now time.Time) {
	wait := m.failWait(0)
	if wait == 0 {
		m.selecting(now)
		return
	}
	m.pending, m.offer, m.offers, m.xid = nil, nil, nil, 0
	m.starting = false
	m.stop(Retransmit)
	m.setState(Selecting)
	m.arm(Wait, now.Add(wait)) // waited sends the DISCOVER
}

// held reports whether l is a lease that holds: one long enough to be
// renewed (or infinite). Binding it ends a run of failures; a 1 s lease
// does not, so a server granting nothing longer draws a trickle.
func (l *Lease) held() bool {
	return l.Infinite || !l.T1.IsZero()
}

// unusableAck: the server asked for in REQUESTING answered with an ACK
// that cannot become a lease. The exchange has failed: the next offer is
// requested, else the client starts over after the backoff.
func (m *Machine) unusableAck(now time.Time) {
	m.stop(Retransmit)
	m.pending, m.offer = nil, nil
	if len(m.offers) > 0 {
		m.fails++
		m.nextOffer(now)
		return
	}
	m.startOver(now)
}

// expiredUnused refuses a lease that ran out before it could be used (a
// lease shorter than the RFC 5227 probe, or than the REQUEST's way): it
// is never applied, the client starts over.
func (m *Machine) expiredUnused(now time.Time, l *Lease) {
	m.refuse(now, ReasonExpired, fmt.Sprintf("lease of %v from %v for %v ran out before it could be used", l.Duration, l.Server, l.Addr.Addr()))
	held := m.applied // a renewal's ACK: the lease it extended is gone too
	m.unapply()
	if held {
		m.notify(EventExpire)
	}
	m.startOver(now)
}
