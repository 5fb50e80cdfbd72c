package lease

import (
	"encoding/binary"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// RFC 8925 (IPv6-Only Preferred): a network with NAT64 tells a client
// that can live without IPv4 to stay off DHCPv4 for V6ONLY_WAIT. With
// IPV6_ONLY_PREFERRED=yes the machine asks for option 108 in every
// message (§3.2), and an OFFER or an ACK of the acquisition that carries
// it puts the interface in V6ONLY: nothing is configured, nothing is sent,
// a start waiting for the lease is answered at once with that outcome, and
// DHCPv4 starts over with a DISCOVER when V6ONLY_WAIT has run out, or at
// once on a network attachment event (carrier back). A renewal's ACK that
// carries it is taken as a renewal: the address in use stays until it
// expires or the next acquisition hears option 108 (the RFC speaks of the
// acquisition only).

// v6OnlyWait returns the V6ONLY_WAIT that msg asks for, if the machine
// honours option 108 and msg carries a well-formed one: exactly 4 bytes
// (§3.1: the client MUST ignore any other length), at least
// MIN_V6ONLY_WAIT (§3.2).
func (m *Machine) v6OnlyWait(msg *dhcpv4.DHCPv4) (time.Duration, bool) {
	if !m.cfg.IPv6OnlyPreferred {
		return 0, false
	}
	v := msg.Options.Get(dhcpv4.OptionIPv6OnlyPreferred)
	if len(v) != 4 {
		return 0, false
	}
	return max(time.Duration(binary.BigEndian.Uint32(v))*time.Second, v6OnlyMin), true
}

// v6Only stops DHCPv4 for wait (RFC 8925 §3.2): whatever was acquired or
// held by the exchange is given up (an adopted INIT-REBOOT address is
// removed and its record forgotten), and the start waiting for a lease is
// answered with the V6ONLY status.
func (m *Machine) v6Only(now time.Time, wait time.Duration) {
	held := m.applied
	had := m.prior != nil || m.lease != nil
	m.unapply()
	m.prior = nil
	m.xid = 0
	if held {
		m.notify(EventExpire) // the hook and DNS let go of the address
	} else if had {
		m.emit(Forget{})
	}
	m.v6Until = now.Add(wait)
	m.setState(V6Only)
	m.arm(Wait, m.v6Until)
	m.settleV6Only()
}

// v6OnlyOver resumes DHCPv4 after V6ONLY_WAIT or a network attachment
// event, with a fresh DISCOVER (RFC 8925 §3.2).
func (m *Machine) v6OnlyOver(now time.Time) {
	m.v6Until = time.Time{}
	m.stop(Wait)
	m.selecting(now)
}

// settleV6Only answers the starts waiting for a lease: the interface will
// have none for a while, and waiting longer says nothing more. The reply
// is the status, which names V6ONLY and the instant DHCPv4 resumes.
func (m *Machine) settleV6Only() {
	var kept []waiter
	var out []Reply
	for _, w := range m.waits {
		if w.until == untilBound {
			out = append(out, Reply{ID: w.id, Status: true})
			continue
		}
		kept = append(kept, w)
	}
	m.waits = kept
	for _, r := range out {
		m.emit(r)
	}
}
