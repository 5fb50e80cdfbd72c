// Package transporttest fakes the sending half of package transport for
// the tests of what sits above it (the interface actors), in the manner of
// mdlayher/netlink's nltest: the fake is a function the test writes, called
// with each transmission the code under test asks for, whose error is the
// transport's answer. A test that wants a record sends Packets to a
// channel; one that wants a failing network returns an error (ENETDOWN,
// EPERM) for the packets it chooses. ARP stands in for the ARP socket's
// listeners, the test delivering what the network would have said.
package transporttest

import (
	"net/netip"

	"github.com/dhcpagent/dhcpagent/transport"
)

// Packet is one transmission asked of the transport.
type Packet struct {
	Ifindex int
	// From is the source address: the zero Addr for 0.0.0.0 (a client
	// without a lease, RFC 2131 §4.1).
	From netip.Addr
	// To is the server a unicast goes to (port 67); the zero Addr for a
	// broadcast to 255.255.255.255:67.
	To netip.Addr
	// Payload is the DHCP message; nil for an ARP packet.
	Payload []byte
	// ARP is the ARP packet broadcast on the link (RFC 5227 probes and
	// announcements); nil for a DHCP message.
	ARP *transport.ARPPacket
}

// Broadcast reports whether p is a DHCP broadcast.
func (p Packet) Broadcast() bool { return p.ARP == nil && !p.To.IsValid() }

// Sender is a fake of the agent's Sender (the raw socket's Broadcast, the
// UDP socket's Unicast and the ARP socket's ARP, as agent.sender combines
// them): every call is one Packet given to the function, which answers it.
// The payload is the caller's buffer: a function that keeps it copies it.
type Sender func(Packet) error

var _ transport.Sender = Sender(nil)

// Broadcast sends payload from from:68 to 255.255.255.255:67 on ifindex.
func (f Sender) Broadcast(ifindex int, from netip.Addr, payload []byte) error {
	return f(Packet{Ifindex: ifindex, From: from, Payload: payload})
}

// Unicast sends payload from from:68 to to:67 through ifindex.
func (f Sender) Unicast(ifindex int, from, to netip.Addr, payload []byte) error {
	return f(Packet{Ifindex: ifindex, From: from, To: to, Payload: payload})
}

// ARP broadcasts p on ifindex.
func (f Sender) ARP(ifindex int, p transport.ARPPacket) error {
	return f(Packet{Ifindex: ifindex, ARP: &p})
}
