package transporttest

import (
	"net/netip"

	"github.com/dhcpagent/dhcpagent/transport"
)

// The real transports Sender stands in for have the methods it fakes, so
// that a test over Sender exercises the calls the agent makes on them.
var (
	_ interface {
		Broadcast(int, netip.Addr, []byte) error
	} = (*transport.Raw)(nil)
	_ interface {
		Unicast(int, netip.Addr, netip.Addr, []byte) error
	} = (*transport.UDP)(nil)
	_ interface {
		Send(int, transport.ARPPacket) error
	} = (*transport.ARP)(nil)
	_ arpWatcher = (*transport.ARP)(nil)
	_ arpWatcher = (*ARP)(nil)
)

// arpWatcher is the listening half of transport.ARP, which ARP fakes.
type arpWatcher interface {
	Watch(ifindex int, f func(transport.ARPPacket))
	Unwatch(ifindex int)
}
