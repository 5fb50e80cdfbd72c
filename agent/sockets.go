package agent

import (
	"net/netip"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/transport"
)

// sockets are the agent's one of each, shared by every interface: the
// packet socket all replies arrive on (opening one costs 15-20 ms), the
// UDP socket for unicasts, the ARP socket and netlink, with the dispatcher
// that hands each reply to its transaction.
type sockets struct {
	raw  *transport.Raw
	udp  *transport.UDP
	arp  *transport.ARP
	nl   *kernel.Netlink
	disp *transport.Dispatcher
}

// openSockets opens them all, or none: what was opened before a failure
// is closed again.
func openSockets() (s *sockets, err error) {
	s = &sockets{disp: transport.NewDispatcher()}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.raw, err = transport.ListenRaw(transport.DefaultRawConfig); err != nil {
		return nil, err
	}
	if s.udp, err = transport.ListenUDP(); err != nil {
		return nil, err
	}
	if s.arp, err = transport.ListenARP(); err != nil {
		return nil, err
	}
	if s.nl, err = kernel.NewNetlink(); err != nil {
		return nil, err
	}
	return s, nil
}

// serve starts the receive path: the packet socket's frames to the
// dispatcher, the ARP socket's packets to their listeners. A receive loop
// that ends reports why on errs (room for both).
func (s *sockets) serve(errs chan<- error) {
	go func() { errs <- s.raw.Serve(s.disp.Dispatch) }()
	go func() { errs <- s.arp.Serve() }()
}

// close closes what is open; at exit nothing is left to do about a
// failure to close.
func (s *sockets) close() {
	if s.nl != nil {
		s.nl.Close()
	}
	if s.arp != nil {
		_ = s.arp.Close()
	}
	if s.udp != nil {
		_ = s.udp.Close()
	}
	if s.raw != nil {
		_ = s.raw.Close()
	}
}

// sender sends broadcasts through the shared packet socket, unicasts
// through the UDP socket and ARP through the ARP socket.
type sender struct {
	raw *transport.Raw
	udp *transport.UDP
	arp *transport.ARP
}

func (s sender) Broadcast(ifindex int, from netip.Addr, b []byte) error {
	return s.raw.Broadcast(ifindex, from, b)
}

func (s sender) Unicast(ifindex int, from, to netip.Addr, b []byte) error {
	return s.udp.Unicast(ifindex, from, to, b)
}

func (s sender) ARP(ifindex int, p transport.ARPPacket) error { return s.arp.Send(ifindex, p) }
