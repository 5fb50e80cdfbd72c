package lease

import (
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Event is an input to Machine.Handle.
type Event interface{ event() }

// Start begins acquisition from INIT (RFC 2131 §4.4.1).
type Start struct{}

// Drop stops managing the interface: the applied lease is removed and
// nothing is sent. The lease itself is not forgotten by the server.
type Drop struct{}

// Release gives the lease back to the server (RFC 2131 §4.4.6) and removes it.
type Release struct{}

// Timeout reports that the timer armed by an earlier ArmTimer fired.
type Timeout struct{ Timer Timer }

// Received carries a BOOTREPLY addressed to this client's hardware address.
type Received struct{ Msg *dhcpv4.DHCPv4 }

func (Start) event()    {}
func (Drop) event()     {}
func (Release) event()  {}
func (Timeout) event()  {}
func (Received) event() {}

// Timer names one of the machine's timers; each is armed at most once at a time.
type Timer int

// The machine's timers.
const (
	// Retransmit fires when the outstanding message is due again (RFC 2131 §4.1).
	Retransmit Timer = iota
	// Expire fires when the lease runs out (RFC 2131 §4.4.5).
	Expire
	numTimers
)

func (t Timer) String() string {
	switch t {
	case Retransmit:
		return "retransmit"
	case Expire:
		return "expire"
	}
	return "unknown"
}

// Action is an output of Machine.Handle for the caller to carry out.
type Action interface{ action() }

// Send asks for Msg to be transmitted. When To is the zero Addr the message
// is broadcast on the link from 0.0.0.0 through the packet socket, which works
// before the interface has an address; otherwise it is sent as ordinary UDP
// from the leased address From to To:67.
type Send struct {
	Msg  *dhcpv4.DHCPv4
	From netip.Addr
	To   netip.Addr
}

// ArmTimer asks for Timeout{Timer} at At, replacing any earlier arming.
type ArmTimer struct {
	Timer Timer
	At    time.Time
}

// StopTimer cancels a timer; a Timeout for it that is already on its way is
// ignored by the machine.
type StopTimer struct{ Timer Timer }

// Apply configures the lease on the interface: address, prefix, lifetimes
// and routes.
type Apply struct{ Lease *Lease }

// Remove takes away exactly what an earlier Apply of this lease configured.
type Remove struct{ Lease *Lease }

// Transition reports a change of state, for logs, events and waiting callers.
type Transition struct{ From, To State }

func (Send) action()       {}
func (ArmTimer) action()   {}
func (StopTimer) action()  {}
func (Apply) action()      {}
func (Remove) action()     {}
func (Transition) action() {}
