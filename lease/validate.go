package lease

import (
	"net"
	"net/netip"
)

// yiaddrProblem says why ip, offered by server with mask, can never be a
// host's own address (SPEC §2), or "" when it can. It rejects the class as
// a whole: the server's own address, class E (240/4, reserved by RFC 1112
// §4), and the network and broadcast addresses of the subnet the reply
// itself describes (RFC 922; /31 and /32 have neither, RFC 3021).
func yiaddrProblem(ip, server netip.Addr, mask net.IPMask) string {
	switch {
	case server.IsValid() && ip == server:
		return "yiaddr is the server's own address"
	case ip.As4()[0] >= 240:
		return "yiaddr is in class E (240.0.0.0/4)"
	}
	bits := prefixLen(mask, ip)
	if bits >= 31 {
		return ""
	}
	p := netip.PrefixFrom(ip, bits).Masked()
	if ip == p.Addr() {
		return "yiaddr is the subnet's network address"
	}
	b := p.Addr().As4()
	for i := bits; i < 32; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	if ip == netip.AddrFrom4(b) {
		return "yiaddr is the subnet's broadcast address"
	}
	return ""
}
