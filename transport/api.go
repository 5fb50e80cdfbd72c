package transport

import (
	"net"
	"net/netip"
)

// What the interface actors take of the transport, as small interfaces
// their tests replace (transporttest).

// Sender transmits client messages.
type Sender interface {
	// Broadcast sends from from:68 (0.0.0.0 for the zero Addr) to
	// 255.255.255.255:67 on ifindex.
	Broadcast(ifindex int, from netip.Addr, payload []byte) error
	// Unicast sends from from:68 to to:67 through ifindex.
	Unicast(ifindex int, from, to netip.Addr, payload []byte) error
	// ARP broadcasts an ARP packet on ifindex.
	ARP(ifindex int, p ARPPacket) error
}

// Router routes replies to the transaction that owns their xid and
// hardware address (the Dispatcher). NewXID draws an xid and holds it for
// its drawer; Bind refuses one another transaction has bound.
type Router interface {
	NewXID() uint32
	Bind(xid uint32, ifindex int, hw net.HardwareAddr, deliver Deliver) error
	Unbind(xid uint32, hw net.HardwareAddr)
}

// ARPWatcher delivers the ARP packets heard on an interface (ARP).
type ARPWatcher interface {
	Watch(ifindex int, f func(ARPPacket))
	Unwatch(ifindex int)
}

var (
	_ Router     = (*Dispatcher)(nil)
	_ ARPWatcher = (*ARP)(nil)
)
