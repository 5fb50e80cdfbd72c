package lease

import (
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Event is an input to Machine.Handle.
type Event interface{ event() }

// Start begins acquisition from INIT (RFC 2131 §4.4.1). With a Prior lease
// that is still valid the machine verifies it with INIT-REBOOT (§3.2)
// instead; Adopted says the prior lease's address is already on the
// interface (left there by an earlier run) and must not be removed unless
// the server refuses it. Boot says the agent starts the interface on its
// own (resumed at start-up, a managed link that came back, a restarted
// actor) rather than for an operator's start: the RFC 5227 probe then waits
// a random 0..PROBE_WAIT first (SPEC §2 "Binding").
type Start struct {
	Prior   *Lease
	Adopted bool
	Boot    bool
}

// Drop stops managing the interface: the applied lease is removed and
// nothing is sent. The server keeps the lease.
type Drop struct{}

// Release gives the lease back to the server (RFC 2131 §4.4.6) and removes it.
type Release struct{}

// Extend asks for the lease to be renewed now, as if T1 had passed.
type Extend struct{}

// Inform asks the server for configuration for a statically configured
// address (DHCPINFORM, RFC 2131 §3.4).
type Inform struct{ Addr netip.Prefix }

// Timeout reports that the timer armed by an earlier ArmTimer fired.
type Timeout struct{ Timer Timer }

// Received carries a BOOTREPLY addressed to this client's hardware address.
type Received struct{ Msg *dhcpv4.DHCPv4 }

// ARPSeen reports an ARP packet heard on the interface while the machine
// probes an address (RFC 5227 §2.1.1).
type ARPSeen struct {
	SenderHW net.HardwareAddr
	SenderIP netip.Addr
	TargetIP netip.Addr
}

// LinkDown reports that the interface lost its carrier: the lease is kept
// but nothing is sent until LinkUp.
type LinkDown struct{}

// LinkUp reports that the carrier is back: a held lease is verified with
// INIT-REBOOT (the host may have moved to another network), an
// acquisition starts over.
type LinkUp struct{}

// Verify asks for a held lease to be confirmed with INIT-REBOOT, after the
// wall clock jumped or the host resumed from suspend.
type Verify struct{}

func (LinkDown) event() {}
func (LinkUp) event()   {}
func (Verify) event()   {}
func (Start) event()    {}
func (Drop) event()     {}
func (Release) event()  {}
func (Extend) event()   {}
func (Inform) event()   {}
func (Timeout) event()  {}
func (Received) event() {}
func (ARPSeen) event()  {}

// Timer names one of the machine's timers; each is armed at most once at a time.
type Timer int

// The machine's timers.
const (
	// Retransmit fires when the outstanding message is due again (RFC 2131 §4.1).
	Retransmit Timer = iota
	// Wait ends a pause: the random wait before the first DISCOVER, the
	// offer collection, the wait after a DECLINE, the IPv6-only wait.
	Wait
	// Renew is T1 (RFC 2131 §4.4.5).
	Renew
	// Rebind is T2.
	Rebind
	// Expire fires when the lease runs out.
	Expire
	// Probe paces RFC 5227 probes and announcements.
	Probe
	// NumTimers is the number of timers.
	NumTimers
)

var timerNames = [...]string{"retransmit", "wait", "renew", "rebind", "expire", "probe"}

func (t Timer) String() string {
	if t >= 0 && int(t) < len(timerNames) {
		return timerNames[t]
	}
	return "unknown"
}

// Action is an output of Machine.Handle for the caller to carry out.
type Action interface{ action() }

// Send asks for Msg to be transmitted. When To is the zero Addr the message
// is broadcast on the link through the packet socket, from From (the zero
// Addr meaning 0.0.0.0), which works before the interface has an address;
// otherwise it is sent as ordinary UDP from the leased address From to To:67.
type Send struct {
	Msg  *dhcpv4.DHCPv4
	From netip.Addr
	To   netip.Addr
}

// ARPOp is the kind of ARP packet SendARP asks for (RFC 5227 §2).
type ARPOp int

// ARP packets.
const (
	// ARPProbe asks who has Addr, from 0.0.0.0.
	ARPProbe ARPOp = iota
	// ARPAnnounce claims Addr: sender and target are both Addr.
	ARPAnnounce
)

// SendARP asks for an ARP probe or announcement for Addr.
type SendARP struct {
	Op   ARPOp
	Addr netip.Addr
}

// ArmTimer asks for Timeout{Timer} at At, replacing any earlier arming.
type ArmTimer struct {
	Timer Timer
	At    time.Time
}

// StopTimer cancels a timer; a Timeout for it that is already on its way is
// ignored by the machine.
type StopTimer struct{ Timer Timer }

// Apply configures the lease on the interface: address, prefix, lifetimes,
// routes and MTU. Applying again refreshes it (after a renewal).
type Apply struct{ Lease *Lease }

// Remove takes away exactly what an earlier Apply of this lease configured.
type Remove struct{ Lease *Lease }

// Transition reports a change of state, for logs, events and waiting callers.
type Transition struct{ From, To State }

// Notify reports an event for the event hook and watchers (SPEC §5).
type Notify struct{ Event EventName }

// EventName is a hook event.
type EventName string

// The hook events.
const (
	EventBound   EventName = "BOUND"
	EventExtend  EventName = "EXTEND"
	EventExpire  EventName = "EXPIRE"
	EventDrop    EventName = "DROP"
	EventRelease EventName = "RELEASE"
	EventInform  EventName = "INFORM"
	EventNak     EventName = "NAK"
	EventDecline EventName = "DECLINE"
)

func (Send) action()       {}
func (SendARP) action()    {}
func (ArmTimer) action()   {}
func (StopTimer) action()  {}
func (Apply) action()      {}
func (Remove) action()     {}
func (Transition) action() {}
func (Notify) action()     {}
