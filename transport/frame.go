package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// DHCP's UDP ports (RFC 2131 §4.1).
const (
	ServerPort = 67
	ClientPort = 68
)

const (
	ipv4HeaderLen = 20
	udpHeaderLen  = 8
	protoUDP      = 17
	defaultTTL    = 64
)

// Errors for frames that are not a DHCP reply to us; they are counted and
// dropped, never fatal.
var (
	ErrShort    = errors.New("truncated packet")
	ErrNotIPv4  = errors.New("not IPv4")
	ErrNotUDP   = errors.New("not UDP")
	ErrFragment = errors.New("IP fragment")
	ErrChecksum = errors.New("bad IPv4 header checksum")
	ErrPort     = errors.New("not to UDP port 68")
)

// EncodeUDP4 wraps payload in the IPv4 and UDP headers of a client message
// from src:68 to dst:67, for sending on a packet socket before the
// interface has an address (RFC 2131 §4.1: source 0.0.0.0, destination
// 255.255.255.255).
func EncodeUDP4(src, dst netip.Addr, payload []byte) []byte {
	udpLen := udpHeaderLen + len(payload)
	b := make([]byte, ipv4HeaderLen+udpLen)

	ip := b[:ipv4HeaderLen]
	ip[0] = 4<<4 | ipv4HeaderLen/4
	binary.BigEndian.PutUint16(ip[2:], uint16(len(b)))
	ip[8] = defaultTTL
	ip[9] = protoUDP
	s, d := src.As4(), dst.As4()
	copy(ip[12:16], s[:])
	copy(ip[16:20], d[:])
	binary.BigEndian.PutUint16(ip[10:], ^fold(sum(ip, 0)))

	udp := b[ipv4HeaderLen:]
	binary.BigEndian.PutUint16(udp[0:], ClientPort)
	binary.BigEndian.PutUint16(udp[2:], ServerPort)
	binary.BigEndian.PutUint16(udp[4:], uint16(udpLen))
	copy(udp[udpHeaderLen:], payload)
	// Checksum over the pseudo-header (RFC 768) and the datagram.
	pseudo := sum(ip[12:20], uint32(protoUDP)+uint32(udpLen))
	c := ^fold(sum(udp, pseudo))
	if c == 0 {
		c = 0xffff // zero means "no checksum" in UDP over IPv4
	}
	binary.BigEndian.PutUint16(udp[6:], c)
	return b
}

// DecodeUDP4 returns the UDP payload of an IPv4 packet to port 68.
//
// The IPv4 header checksum is verified; the UDP checksum is not, because a
// packet socket sees frames from a local veth peer before checksum offload
// has filled the field in. The DHCP decoder validates the payload itself.
func DecodeUDP4(b []byte) (payload []byte, src netip.Addr, err error) {
	if len(b) < ipv4HeaderLen {
		return nil, src, ErrShort
	}
	if b[0]>>4 != 4 {
		return nil, src, ErrNotIPv4
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	switch {
	case ihl < ipv4HeaderLen || total < ihl+udpHeaderLen || total > len(b):
		return nil, src, fmt.Errorf("%w: header %d, total %d, have %d", ErrShort, ihl, total, len(b))
	case b[9] != protoUDP:
		return nil, src, ErrNotUDP
	case binary.BigEndian.Uint16(b[6:])&0x3fff != 0:
		return nil, src, ErrFragment // MF set or a non-zero offset
	case fold(sum(b[:ihl], 0)) != 0xffff:
		return nil, src, ErrChecksum
	}
	src = netip.AddrFrom4([4]byte(b[12:16]))
	udp := b[ihl:total]
	if binary.BigEndian.Uint16(udp[2:]) != ClientPort {
		return nil, src, ErrPort
	}
	ulen := int(binary.BigEndian.Uint16(udp[4:]))
	if ulen < udpHeaderLen || ulen > len(udp) {
		return nil, src, fmt.Errorf("%w: UDP length %d, have %d", ErrShort, ulen, len(udp))
	}
	return udp[udpHeaderLen:ulen], src, nil
}

// sum adds b as big-endian 16-bit words to acc (RFC 1071).
func sum(b []byte, acc uint32) uint32 {
	for len(b) >= 2 {
		acc += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	return acc
}

// fold reduces a one's-complement sum to 16 bits.
func fold(acc uint32) uint16 {
	for acc > 0xffff {
		acc = acc>>16 + acc&0xffff
	}
	return uint16(acc)
}
