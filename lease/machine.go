package lease

import (
	"bytes"
	"math"
	"net/netip"
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

// Protocol constants.
const (
	// RFC 2131 §4.1: 4 s, doubling to 64 s, each randomised by ±1 s.
	firstBackoff = 4 * time.Second
	maxBackoff   = 64 * time.Second
	jitter       = time.Second
	// tries is how often a REQUEST (selecting, INIT-REBOOT) or an INFORM
	// is sent before the client gives up on it.
	tries = 4
	// minRetry is the shortest wait between renewal retries (RFC 2131
	// §4.4.5), scaled down for short leases to lease/8, never below
	// minRetryShort (SPEC §2 "Keeping the lease").
	minRetry      = 60 * time.Second
	minRetryShort = 4 * time.Second
	// declineWait is the pause after a DECLINE (RFC 2131 §3.1.5).
	declineWait = 10 * time.Second
	// RFC 5227 §2.1.1: PROBE_NUM probes PROBE_MIN..PROBE_MAX apart;
	// ANNOUNCE_NUM announcements ANNOUNCE_INTERVAL apart.
	probeNum         = 3
	probeMin         = time.Second
	probeMax         = 2 * time.Second
	probeWait        = time.Second     // PROBE_WAIT
	announceWait     = 2 * time.Second // ANNOUNCE_WAIT
	announceNum      = 2
	announceInterval = 2 * time.Second
	// v6OnlyMin is MIN_V6ONLY_WAIT of RFC 8925 §3.4.
	v6OnlyMin = 300 * time.Second
)

// Counters are the per-interface statistics shown by status.
type Counters struct {
	Sent      uint64 // DHCP messages handed to the transport
	Received  uint64 // replies for our transaction
	BadOffers uint64 // offers or ACKs rejected as unusable
	Declined  uint64 // addresses declined after a conflict
	Ignored   uint64 // replies for another transaction, or late
	// Refused counts refusals and failures by reason (see Reason).
	Refused [NumReasons]uint64
}

// Status is a snapshot of the machine for status queries.
type Status struct {
	State State
	// Lease is the lease held (applied, or being probed in PRE_BOUND); nil
	// when none.
	Lease    *Lease
	XID      uint32         // current transaction, 0 when none
	Starting bool           // started, waiting out SELECT_WAIT in INIT
	Info     *dhcpv4.DHCPv4 // the ACK to the last INFORM, in INFORMATION
	Busy     bool           // a command waits for its transaction
	Probing  bool           // checking the address (RFC 5227): ARP is to be watched
	// V6OnlyUntil is when DHCPv4 resumes, in V6ONLY (RFC 8925); zero
	// otherwise.
	V6OnlyUntil time.Time
	Counters    Counters
}

// Machine is the RFC 2131 client for one interface. It is not safe for
// concurrent use; its owner (an interface actor) serialises all calls.
type Machine struct {
	cfg   Config
	rnd   Rand
	state State

	xid     uint32
	began   time.Time      // start of the exchange, for secs
	discSec uint16         // secs of the last DISCOVER sent, for its REQUEST
	reqAt   time.Time      // first sending of the REQUEST: the lease counts from it
	pending *dhcpv4.DHCPv4 // message being retransmitted
	from    netip.Addr     // its source address
	to      netip.Addr     // its unicast destination; invalid: broadcast
	tries   int            // transmissions of pending so far
	armed   [NumTimers]time.Time

	offers     []*dhcpv4.DHCPv4 // acceptable offers, in arrival order
	collecting bool             // OFFER_WAIT has not run out yet
	offer      *dhcpv4.DHCPv4   // offer being requested

	prior    *Lease       // remembered lease being verified (INIT-REBOOT)
	lease    *Lease       // lease held: applied, or probed in PRE_BOUND
	applied  bool         // lease is on the interface
	probes   int          // ARP probes or announcements sent
	delayed  bool         // PROBE_WAIT before the first probe (a Boot start)
	fails    int          // failures since the last lease that held, for the backoff
	inform   netip.Prefix // static address of the INFORM exchange
	info     *dhcpv4.DHCPv4
	v6Until  time.Time // end of V6ONLY_WAIT, in V6ONLY
	down     bool      // no carrier: send nothing
	starting bool      // started, in INIT until SELECT_WAIT runs out
	waits    []waiter  // commands waiting for the event that answers them
	closing  bool      // the agent is stopping (Stop)
	counts   Counters
	refused  refusals // the latest refusals, for status
	out      []Action
}

// New returns a machine in INIT.
func New(cfg Config, rnd Rand) *Machine {
	return &Machine{cfg: cfg, rnd: rnd}
}

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Status returns a snapshot; the Lease is shared and must not be modified.
func (m *Machine) Status() Status {
	return Status{State: m.state, Lease: m.lease, XID: m.xid, Starting: m.starting, Info: m.info,
		Busy: m.busy(), Probing: m.state == PreBound, V6OnlyUntil: m.v6Until, Counters: m.counts}
}

// Refusals returns the latest refusals and failures, oldest first, at
// most keepRefusals of them, in a new slice.
func (m *Machine) Refusals() []Refusal { return m.refused.list() }

// Config returns the configuration.
func (m *Machine) Config() *Config { return &m.cfg }

// SetConfig replaces the configuration; it applies from the next message.
func (m *Machine) SetConfig(cfg Config) { m.cfg = cfg }

// Handle advances the machine by one event at now and returns the actions
// to carry out, in order.
func (m *Machine) Handle(now time.Time, ev Event) []Action {
	m.out = nil
	switch ev := ev.(type) {
	case Start:
		m.start(now, ev)
	case Drop:
		m.reset()
		m.notify(EventDrop)
	case Release:
		m.release()
	case Extend:
		m.extend(now)
	case Inform:
		m.startInform(now, ev.Addr)
	case Timeout:
		m.timeout(now, ev.Timer)
	case Received:
		m.received(now, ev.Msg)
	case ARPSeen:
		m.arpSeen(now, ev)
	case LinkDown:
		m.linkDown()
	case LinkUp:
		m.linkUp(now)
	case Verify:
		m.verify(now)
	case Command:
		m.command(now, ev)
	case Stop:
		m.stopAgent(ev)
	case Cancel:
		m.cancel(ev.ID)
	}
	return m.out
}

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

// notify reports event e, keeps the lease record in step with it and
// answers the commands it decides.
func (m *Machine) notify(e EventName) {
	m.emit(Notify{Event: e})
	m.record(e)
	m.settle(e)
}

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

// newExchange starts a transaction: a fresh xid and secs counted from now.
func (m *Machine) newExchange(now time.Time) {
	m.xid = m.rnd.XID()
	m.began, m.reqAt = now, now
}

// transmit sends msg as the first try of a retransmitted exchange, from
// from to to (invalid to: broadcast).
func (m *Machine) transmit(now time.Time, msg *dhcpv4.DHCPv4, from, to netip.Addr) {
	m.pending, m.from, m.to = msg, from, to
	m.tries = 0
	m.resend(now)
}

// resend sends pending again with an up-to-date secs field and arms the
// next retransmission.
func (m *Machine) resend(now time.Time) {
	if m.down {
		m.stop(Retransmit) // no carrier: LinkUp starts the exchange again
		return
	}
	msg := *m.pending // shallow copy: a sent message never changes afterwards
	switch m.state {
	case Requesting:
		// RFC 2131 §3.1 step 3 (and §4.4.1 table 5): the REQUEST that
		// answers an offer MUST carry the secs of the DISCOVER, on every
		// try, as illumos does.
		msg.NumSeconds = m.discSec
	default:
		msg.NumSeconds = secs(now.Sub(m.began))
		if m.state == Selecting {
			m.discSec = msg.NumSeconds
		}
	}
	m.tries++
	m.counts.Sent++
	m.emit(Send{Msg: &msg, From: m.from, To: m.to})
	m.arm(Retransmit, now.Add(m.retryDelay(now)))
}

// retryDelay is the wait after a transmission. While renewing or
// rebinding it is half the time left to T2 or to expiry, at least the floor of retryFloor
// (RFC 2131 §4.4.5); otherwise the exponential backoff of §4.1.
func (m *Machine) retryDelay(now time.Time) time.Duration {
	switch m.state {
	case Renewing:
		return max(m.lease.T2.Sub(now)/2, m.retryFloor())
	case Rebinding:
		return max(m.lease.Expires().Sub(now)/2, m.retryFloor())
	}
	return m.backoff(m.tries)
}

// retryFloor is the shortest wait between renewal retries: 60 s, or
// lease/8 for a lease under 8 minutes, at least 4 s (SPEC §2).
func (m *Machine) retryFloor() time.Duration {
	return min(minRetry, max(m.lease.Duration/8, minRetryShort))
}

// backoff is the wait after the n-th transmission (n >= 1).
func (m *Machine) backoff(n int) time.Duration {
	d := maxBackoff
	if n <= 4 {
		d = firstBackoff << (n - 1)
	}
	return d + m.uniform(-jitter, jitter)
}

// uniform returns a duration in [lo, hi].
func (m *Machine) uniform(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(m.rnd.Int63n(int64(hi-lo)+1))
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
	case Wait:
		m.waited(now)
	case Renew:
		m.renew(now)
	case Rebind:
		m.rebind(now)
	case Expire:
		m.expire(now)
	case Probe:
		m.probeTimer(now)
	}
}

func (m *Machine) retransmit(now time.Time) {
	switch m.state {
	case Selecting, Renewing, Rebinding:
		m.resend(now) // until something stops it
	case Requesting:
		if m.tries >= tries {
			m.nextOffer(now)
			return
		}
		m.resend(now)
	case InitReboot:
		if m.tries >= tries {
			m.rebootSilence(now)
			return
		}
		m.resend(now)
	case InformSent:
		if m.tries >= tries {
			m.pending = nil
			m.xid = 0
			m.setState(Init)
			m.informGaveUp()
			return
		}
		m.resend(now)
	}
}

// waited ends a pause, according to what was being waited for.
func (m *Machine) waited(now time.Time) {
	switch {
	case m.state == Init && m.starting:
		m.selecting(now) // SELECT_WAIT is over
	case m.state == V6Only:
		m.v6OnlyOver(now) // V6ONLY_WAIT is over (RFC 8925 §3.2)
	case m.state == Selecting && m.pending == nil:
		m.discover(now) // the backoff after repeated NAKs is over
	case m.state == Selecting:
		m.collecting = false // OFFER_WAIT is over
		if len(m.offers) > 0 {
			m.nextOffer(now)
		}
	case m.state == Declining:
		m.selecting(now)
	}
}

func (m *Machine) received(now time.Time, msg *dhcpv4.DHCPv4) {
	if m.xid == 0 || msg.OpCode != dhcpv4.OpcodeBootReply || XID(msg) != m.xid ||
		!bytes.Equal(msg.ClientHWAddr, m.cfg.HWAddr) {
		m.counts.Ignored++
		return
	}
	m.counts.Received++
	t := msg.MessageType()
	switch {
	case t == dhcpv4.MessageTypeNak && m.nakable():
		m.nak(now, msg)
	case m.state == Selecting && (t == dhcpv4.MessageTypeOffer || isBOOTP(msg)):
		m.offered(now, msg)
	case m.state == Selecting && t == dhcpv4.MessageTypeAck && m.cfg.RapidCommit && msg.Options.Has(dhcpv4.OptionRapidCommit):
		m.acked(now, msg) // RFC 4039 §3.1: a committed ACK to our DISCOVER
	case t == dhcpv4.MessageTypeAck && (m.state == Requesting || m.state == InitReboot ||
		m.state == Renewing || m.state == Rebinding):
		m.acked(now, msg)
	case t == dhcpv4.MessageTypeAck && m.state == InformSent:
		m.informed(msg)
	default:
		m.counts.Ignored++ // late or duplicate: the exchange has moved on
	}
}

// nakable reports whether a NAK means something in the current state: it
// answers a REQUEST (RFC 2131 §3.1 step 5, §3.2 step 4, §4.4.5).
func (m *Machine) nakable() bool {
	switch m.state {
	case Requesting, InitReboot, Renewing, Rebinding:
		return true
	}
	return false
}
