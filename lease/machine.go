package lease

import (
	"bytes"
	"math"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Rand supplies the machine's randomness, injected so tests are exact.
type Rand interface {
	// XID returns a fresh non-zero transaction id, distinct from the ids
	// other interfaces are using.
	XID() uint32
	// Int63n returns a uniform value in [0, n).
	Int63n(n int64) int64
}

// Retransmission parameters of RFC 2131 §4.1.
const (
	firstBackoff = 4 * time.Second
	maxBackoff   = 64 * time.Second
	jitter       = time.Second
	// requestTries is how often a REQUEST is sent before the offer is given up.
	requestTries = 4
)

// Counters are the per-interface statistics shown by status.
type Counters struct {
	Sent      uint64 // messages handed to the transport
	Received  uint64 // replies for our transaction
	BadOffers uint64 // offers or ACKs rejected as unusable
	Declined  uint64 // addresses declined after a conflict
	Ignored   uint64 // replies for another transaction, or late
}

// Status is a snapshot of the machine for status queries.
type Status struct {
	State    State
	Lease    *Lease // nil when none is held
	XID      uint32 // current transaction, 0 when none
	Counters Counters
}

// Machine is the RFC 2131 client for one interface. It is not safe for
// concurrent use; its owner (an interface actor) serialises all calls.
type Machine struct {
	cfg   Config
	rnd   Rand
	state State

	xid     uint32
	began   time.Time      // start of the exchange, for the secs field
	pending *dhcpv4.DHCPv4 // message being retransmitted
	tries   int            // transmissions of pending so far
	armed   [numTimers]time.Time
	offer   *dhcpv4.DHCPv4 // offer being requested
	reqAt   time.Time      // first transmission of the REQUEST for offer
	lease   *Lease         // lease applied to the interface, if any
	counts  Counters
	out     []Action
}

// New returns a machine in INIT.
func New(cfg Config, rnd Rand) *Machine {
	return &Machine{cfg: cfg, rnd: rnd}
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Status returns a snapshot; the Lease is shared and must not be modified.
func (m *Machine) Status() Status {
	return Status{State: m.state, Lease: m.lease, XID: m.xid, Counters: m.counts}
}

// Handle advances the machine by one event at now and returns the actions
// to carry out, in order.
func (m *Machine) Handle(now time.Time, ev Event) []Action {
	m.out = nil
	switch ev := ev.(type) {
	case Start:
		if m.state == Init {
			m.selecting(now)
		}
	case Drop:
		m.reset()
	case Release:
		m.release(now)
	case Timeout:
		m.timeout(now, ev.Timer)
	case Received:
		m.received(now, ev.Msg)
	}
	return m.out
}

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

func (m *Machine) setState(s State) {
	if s != m.state {
		m.emit(Transition{From: m.state, To: s})
		m.state = s
	}
}

func (m *Machine) arm(t Timer, at time.Time) {
	m.armed[t] = at
	m.emit(ArmTimer{Timer: t, At: at})
}

func (m *Machine) stop(t Timer) {
	if !m.armed[t].IsZero() {
		m.armed[t] = time.Time{}
		m.emit(StopTimer{Timer: t})
	}
}

// selecting starts a fresh exchange: new xid, DISCOVER (RFC 2131 §4.4.1).
func (m *Machine) selecting(now time.Time) {
	m.xid = m.rnd.XID()
	m.began = now
	m.offer = nil
	m.setState(Selecting)
	m.transmit(now, m.cfg.discover(m.xid))
}

// requesting accepts offer with a REQUEST carrying the same xid (RFC 2131
// §4.4.1: the REQUEST answers the offer's transaction).
func (m *Machine) requesting(now time.Time, offer *dhcpv4.DHCPv4) {
	m.offer = offer
	m.reqAt = now
	m.setState(Requesting)
	m.transmit(now, m.cfg.requestSelecting(m.xid, offer))
}

// transmit sends msg as the first try of a retransmitted exchange.
func (m *Machine) transmit(now time.Time, msg *dhcpv4.DHCPv4) {
	m.pending = msg
	m.tries = 0
	m.resend(now)
}

// resend sends pending again with an up-to-date secs field and arms the next
// retransmission: 4 s doubling to 64 s, each +-1 s (RFC 2131 §4.1).
func (m *Machine) resend(now time.Time) {
	msg := *m.pending // shallow copy: a sent message never changes afterwards
	msg.NumSeconds = secs(now.Sub(m.began))
	m.tries++
	m.counts.Sent++
	m.emit(Send{Msg: &msg})
	m.arm(Retransmit, now.Add(m.backoff(m.tries)))
}

// backoff is the wait after the n-th transmission (n >= 1).
func (m *Machine) backoff(n int) time.Duration {
	d := maxBackoff
	if n <= 4 {
		d = firstBackoff << (n - 1)
	}
	return d + time.Duration(m.rnd.Int63n(int64(2*jitter)+1)) - jitter
}

func secs(d time.Duration) uint16 {
	return uint16(min(max(d/time.Second, 0), math.MaxUint16))
}

func (m *Machine) timeout(now time.Time, t Timer) {
	at := m.armed[t]
	if at.IsZero() || now.Before(at) {
		return // stopped or re-armed since: a stale timer
	}
	m.armed[t] = time.Time{}
	switch t {
	case Retransmit:
		m.retransmit(now)
	case Expire:
		m.expire(now)
	}
}

func (m *Machine) retransmit(now time.Time) {
	switch m.state {
	case Selecting:
		m.resend(now) // DISCOVER is retransmitted until something stops it
	case Requesting:
		if m.tries >= requestTries {
			m.selecting(now) // the offer is gone; start over
			return
		}
		m.resend(now)
	}
}

// expire ends a lease that ran out (RFC 2131 §4.4.5): the address goes and
// the client starts over.
func (m *Machine) expire(now time.Time) {
	if m.lease == nil {
		return
	}
	m.unapply()
	m.selecting(now)
}

func (m *Machine) received(now time.Time, msg *dhcpv4.DHCPv4) {
	if m.xid == 0 || msg.OpCode != dhcpv4.OpcodeBootReply || XID(msg) != m.xid ||
		!bytes.Equal(msg.ClientHWAddr, m.cfg.HWAddr) {
		m.counts.Ignored++
		return
	}
	m.counts.Received++
	switch t := msg.MessageType(); {
	case m.state == Selecting && t == dhcpv4.MessageTypeOffer:
		if checkReply(msg) != nil {
			m.counts.BadOffers++
			return
		}
		m.requesting(now, msg)
	case m.state == Requesting && t == dhcpv4.MessageTypeAck:
		if checkReply(msg) != nil || !msg.YourIPAddr.Equal(m.offer.YourIPAddr) {
			m.counts.BadOffers++
			return
		}
		m.bind(now, msg)
	case m.state == Requesting && t == dhcpv4.MessageTypeNak:
		// RFC 2131 §3.1 step 5: a NAK sends the client back to INIT.
		m.selecting(now)
	default:
		m.counts.Ignored++ // late or duplicate: the exchange has moved on
	}
}

// bind applies the lease an ACK granted and arms its expiry.
func (m *Machine) bind(now time.Time, ack *dhcpv4.DHCPv4) {
	m.stop(Retransmit)
	m.pending = nil
	m.lease = newLease(ack, m.reqAt)
	m.emit(Apply{Lease: m.lease})
	m.setState(Bound)
	if !m.lease.Infinite {
		m.arm(Expire, m.lease.Expires())
	}
}

// unapply removes the applied lease and stops every timer.
func (m *Machine) unapply() {
	for t := range numTimers {
		m.stop(t)
	}
	if m.lease != nil {
		m.emit(Remove{Lease: m.lease})
		m.lease = nil
	}
	m.pending = nil
	m.offer = nil
}

// reset abandons whatever is going on and returns to INIT.
func (m *Machine) reset() {
	m.unapply()
	m.xid = 0
	m.setState(Init)
}

// release sends RELEASE for the held lease, unicast from the leased address
// to the server (RFC 2131 §4.4.6), then removes it. Without a lease it is a
// plain reset.
func (m *Machine) release(now time.Time) {
	if l := m.lease; l != nil {
		msg := m.cfg.release(m.rnd.XID(), l)
		m.counts.Sent++
		m.emit(Send{Msg: msg, From: l.Addr.Addr(), To: l.Server})
	}
	m.reset()
}
