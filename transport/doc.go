// Package transport moves DHCP messages between the interface actors and the
// network. Applying leases to the kernel is package kernel's.
//
// It is built for one agent serving many interfaces:
//
//   - One AF_PACKET socket, not bound to any interface and guarded by a BPF
//     filter for IPv4 UDP to port 68, receives every reply on every link
//     (Raw). A single goroutine reads it and the Dispatcher hands each reply
//     to the transaction that owns its xid and hardware address, whichever
//     link it arrived on: with many interfaces on one subnet a unicast reply
//     may come in through a sibling interface, and illumos matches the same
//     way. Opening a packet socket costs tens of milliseconds, so this one is
//     opened once.
//   - Broadcasts leave through that same socket, addressed per interface
//     index, and are paced across all interfaces by a token bucket: a burst
//     of a thousand DISCOVERs overflows a server's receive buffer and ends
//     later than a steady stream.
//   - One UDP socket bound to port 68 sends unicast messages (renewals,
//     RELEASE) from the leased address through the right interface with
//     IP_PKTINFO. Its own receive queue is closed by a drop-all filter,
//     because replies arrive through the packet socket.
//   - Each interface actor follows its machine with a Listener: the
//     Dispatcher holds exactly the xid of its one transaction, and ARP is
//     watched only while an address is probed.
//
// Package transporttest has fakes for the actor tests.
package transport
