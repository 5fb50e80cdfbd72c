package lease

import (
	"errors"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Op is a control command (SPEC §3).
type Op int

// The commands the machine answers.
const (
	OpStart Op = iota
	OpExtend
	OpRelease
	OpDrop
	OpInform
	OpPing
	OpStatus
	OpInfo
)

var opNames = [...]string{"start", "extend", "release", "drop", "inform", "ping", "status", "info"}

// Retried reports whether a command of o still waiting when its
// interface actor fails is carried to the actor's next incarnation, which
// resumes the interface and answers it once bound (issue 10: a restart
// retries the command or answers it FAILEDIF). Only a start is: the
// others' outcomes were tied to the lost transaction.
func (o Op) Retried() bool { return o == OpStart }

func (o Op) String() string {
	if o >= 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return "unknown"
}

// Command is a control request as an event. The machine decides from the
// SPEC §3 table whether it is allowed now, and answers it with a Reply
// carrying ID: at once, or after the event that decides it (bound, ACK or
// NAK of an extension, INFORM answered, dropped or released). Exactly one
// Reply names each ID, unless a Cancel for it comes first.
type Command struct {
	ID uint64
	Op Op
	// Prior and Adopted are the stored lease for OpStart, and Boot marks
	// a start the agent makes on its own at start-up, as in Start.
	Prior   *Lease
	Adopted bool
	Boot    bool
	// Hostname, for OpStart, is asked for in this acquisition (option 12
	// or 81); empty keeps the configured one.
	Hostname string
	// Addr is the static address OpInform asks about; invalid: the
	// interface has none.
	Addr netip.Prefix
	// Option names what OpInfo reads (see Lookup).
	Option string
}

// Stop ends management as the agent stops (SPEC §2, SIGTERM): the lease is
// released when Release is set and there is one to give back, dropped
// otherwise; the interface stays under management for the next agent.
// Commands still waiting are answered SHUTDOWN. ID is answered once the
// event is over.
type Stop struct {
	ID      uint64
	Release bool
}

// Cancel withdraws a waiting command whose caller has gone: it is not
// answered (Withdrawn), and it no longer makes other commands PEND. The
// transaction it started goes on. A command that ends management (drop,
// release, the agent's stop) is not withdrawn: it completes and is
// answered all the same, and so is one already answered whose Reply waits
// behind a hook.
type Cancel struct{ ID uint64 }

func (Command) event() {}
func (Stop) event()    {}
func (Cancel) event()  {}

// outcome is what a waiting command waits for.
type outcome int

const (
	untilBound outcome = iota
	untilExtended
	untilInformed
	untilEnded // drop, release, or the agent's stop
)

// waiter is a command whose reply depends on a later event.
type waiter struct {
	id    uint64
	until outcome
}

// command admits or refuses c (SPEC §3). The state is checked before the
// outstanding transaction, as illumos does: a command the state forbids is
// OUTSTATE whether or not another is pending.
func (m *Machine) command(now time.Time, c Command) {
	l := m.lease
	bootp := l != nil && l.BOOTP
	switch c.Op {
	case OpPing:
		m.answer(c.ID, CodeOK, "")
	case OpStatus:
		m.emit(Reply{ID: c.ID, Status: true})
	case OpInfo:
		m.lookup(c)
	case OpStart:
		switch {
		case m.starting:
			m.answer(c.ID, CodePend, "starting: waiting before its first DISCOVER")
		case m.state == V6Only:
			m.emit(Primary{ID: c.ID})
			m.answer(c.ID, CodeRunning, "IPv6-only network (RFC 8925 option 108): DHCPv4 resumes at "+
				m.v6Until.UTC().Format(time.RFC3339))
		case !m.idle():
			m.emit(Primary{ID: c.ID})
			m.answer(c.ID, CodeRunning, "already "+m.state.String())
		case m.busy():
			m.answer(c.ID, CodePend, "another command is in progress")
		default:
			if c.Hostname != "" {
				m.cfg.Hostname = c.Hostname
			}
			m.wait(c.ID, untilBound)
			m.start(now, Start{Prior: c.Prior, Adopted: c.Adopted, Boot: c.Boot})
			// After the DISCOVER, so that the disk and the network overlap.
			m.emit(Primary{ID: c.ID})
			m.emit(Manage{ID: c.ID, On: true})
		}
	case OpExtend:
		switch {
		case bootp:
			m.answer(c.ID, CodeBOOTP, "a BOOTP lease has no renewal")
		case !m.state.HoldsLease():
			m.answer(c.ID, CodeOutState, "cannot extend in "+m.state.String())
		case m.busy():
			m.answer(c.ID, CodePend, "another command is in progress")
		default:
			m.wait(c.ID, untilExtended)
			m.extend(now)
		}
	case OpRelease:
		switch {
		case bootp:
			m.answer(c.ID, CodeBOOTP, "a BOOTP lease cannot be released")
		case !m.state.HoldsLease() && m.state != InitReboot:
			m.answer(c.ID, CodeOutState, "holds no lease in "+m.state.String())
		case m.busy():
			m.answer(c.ID, CodePend, "another command is in progress")
		default:
			m.emit(Manage{ID: c.ID, On: false})
			m.wait(c.ID, untilEnded)
			m.release()
		}
	case OpDrop:
		m.emit(Manage{ID: c.ID, On: false})
		m.wait(c.ID, untilEnded)
		m.reset()
		m.notify(EventDrop)
	case OpInform:
		switch {
		case bootp:
			m.answer(c.ID, CodeBOOTP, "a BOOTP lease has no INFORM")
		case !m.idle():
			m.answer(c.ID, CodeOutState, "cannot inform in "+m.state.String())
		case !c.Addr.IsValid():
			m.answer(c.ID, CodeOutState, "no IPv4 address to inform about")
		case m.busy():
			m.answer(c.ID, CodePend, "another command is in progress")
		default:
			m.wait(c.ID, untilInformed)
			m.startInform(now, c.Addr)
		}
	default:
		m.answer(c.ID, CodeInvalid, "unknown command")
	}
}

// stopAgent carries out Stop: release when asked and possible, else drop.
func (m *Machine) stopAgent(s Stop) {
	m.closing = true
	l := m.lease
	if l == nil {
		l = m.prior
	}
	m.wait(s.ID, untilEnded)
	if s.Release && (m.state.HoldsLease() || m.state == InitReboot) && l != nil && !l.BOOTP {
		m.release()
		return
	}
	m.reset()
	m.notify(EventDrop)
}

// cancel forgets the waiting command id, unless it ends management.
func (m *Machine) cancel(id uint64) {
	for i, w := range m.waits {
		if w.id == id && w.until != untilEnded {
			m.waits = append(m.waits[:i:i], m.waits[i+1:]...)
			m.emit(Withdrawn{ID: id})
			return
		}
	}
}

// lookup answers OpInfo from the lease, or from the INFORM's answer. An
// option the server did not send is no value, not an error (illumos
// GET_TAG: dhcpinfo prints nothing and exits 0).
func (m *Machine) lookup(c Command) {
	msgs := m.infoSources()
	if msgs == nil {
		m.answer(c.ID, CodeOutState, "has no lease in "+m.state.String())
		return
	}
	values, raw, err := Lookup(msgs, c.Option)
	switch {
	case errors.Is(err, ErrNoOption):
		m.emit(Reply{ID: c.ID})
	case err != nil:
		m.answer(c.ID, CodeInvalid, err.Error())
	default:
		m.emit(Reply{ID: c.ID, Values: values, Raw: raw})
	}
}

// idle reports whether the machine is in a state a start or an inform may
// leave: nothing acquired or being acquired.
func (m *Machine) idle() bool {
	return m.state == Init || m.state == Information || m.state == InformSent
}

func (m *Machine) busy() bool { return len(m.waits) > 0 }

func (m *Machine) wait(id uint64, until outcome) {
	m.waits = append(m.waits, waiter{id: id, until: until})
}

func (m *Machine) answer(id uint64, code Code, reason string) {
	m.emit(Reply{ID: id, Code: code, Reason: reason})
}

// settle answers the waiting commands event e decides, right after its
// Notify: success for the outcome they wait for, failure when e makes it
// impossible. The rest keep waiting.
func (m *Machine) settle(e EventName) {
	ended := e == EventDrop || e == EventRelease
	var kept []waiter
	var out []Reply
	for _, w := range m.waits {
		switch {
		// A start's adopted lease, confirmed, was bound all along: it
		// is EXTEND, and the start is answered.
		case w.until == untilBound && (e == EventBound || e == EventExtend),
			w.until == untilExtended && (e == EventExtend || e == EventBound),
			w.until == untilInformed && e == EventInform,
			w.until == untilEnded && ended:
			out = append(out, Reply{ID: w.id, Status: true, Ends: w.until == untilEnded})
		case ended && m.closing:
			out = append(out, Reply{ID: w.id, Code: CodeShutdown, Reason: "the agent is stopping"})
		case ended:
			out = append(out, Reply{ID: w.id, Code: CodeOutState, Reason: "stopped before the command completed"})
		case w.until == untilExtended && (e == EventNak || e == EventExpire):
			out = append(out, Reply{ID: w.id, Code: CodeOutState,
				Reason: "the server refused the extension (" + string(e) + "); acquiring again"})
		default:
			kept = append(kept, w)
		}
	}
	// Replies describe the state after the event: not BUSY with
	// themselves.
	m.waits = kept
	for _, r := range out {
		m.emit(r)
	}
}

// informGaveUp answers the INFORM waiters when no server answered.
func (m *Machine) informGaveUp() {
	var kept []waiter
	for _, w := range m.waits {
		if w.until == untilInformed {
			m.answer(w.id, CodeTimeout, "no server answered the INFORM")
			continue
		}
		kept = append(kept, w)
	}
	m.waits = kept
}

// record keeps the lease record in step with event e (SPEC §2): BOUND and
// EXTEND write it, RELEASE, NAK and EXPIRE forget it, DROP keeps it.
func (m *Machine) record(e EventName) {
	switch e {
	case EventBound, EventExtend:
		m.emit(Persist{Lease: m.lease})
	case EventRelease, EventNak, EventExpire:
		m.emit(Forget{})
	}
}

// infoSources are the messages info reads: the INFORM's answer, or the
// lease's latest and first ACK; nil when there is nothing to read.
func (m *Machine) infoSources() []*dhcpv4.DHCPv4 {
	switch {
	case m.state == Information && m.info != nil:
		return []*dhcpv4.DHCPv4{m.info}
	case m.lease != nil && m.state != PreBound:
		return []*dhcpv4.DHCPv4{m.lease.ACK, m.lease.FirstACK}
	}
	return nil
}
