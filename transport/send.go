package transport

import (
	"net"
	"net/netip"
)

// Send sends payload from from:68 through ifindex: to to:67 when to is a
// server's address (a renewal's unicast, RFC 2131 §4.4.5), broadcast to
// 255.255.255.255:67 when it is the zero Addr.
func Send(s Sender, ifindex int, from, to netip.Addr, payload []byte) error {
	if to.IsValid() {
		return s.Unicast(ifindex, from, to, payload)
	}
	return s.Broadcast(ifindex, from, payload)
}

// SendARP broadcasts on ifindex, from hw, the RFC 5227 probe for addr
// (ProbeARP), or with announce its announcement (AnnounceARP).
func SendARP(s Sender, ifindex int, hw net.HardwareAddr, addr netip.Addr, announce bool) error {
	p := ProbeARP(hw, addr)
	if announce {
		p = AnnounceARP(hw, addr)
	}
	return s.ARP(ifindex, p)
}
