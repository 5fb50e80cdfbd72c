package transport

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// ARP (RFC 826) for Ethernet and IPv4, as RFC 5227 uses it to probe for
// and announce addresses.

const (
	arpLen       = 28
	arpHTEther   = 1
	arpPTIPv4    = 0x0800
	arpOpRequest = 1
	arpOpReply   = 2
)

// ARPPacket is the part of an ARP packet address conflict detection reads.
type ARPPacket struct {
	Op       uint16
	SenderHW net.HardwareAddr
	SenderIP netip.Addr
	TargetHW net.HardwareAddr
	TargetIP netip.Addr
}

// ErrNotARP is returned for anything but Ethernet/IPv4 ARP.
var ErrNotARP = errors.New("not an Ethernet/IPv4 ARP packet")

// EncodeARP returns the ARP payload (without link header) of p.
func EncodeARP(p ARPPacket) []byte {
	b := make([]byte, arpLen)
	binary.BigEndian.PutUint16(b[0:], arpHTEther)
	binary.BigEndian.PutUint16(b[2:], arpPTIPv4)
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], p.Op)
	copy(b[8:14], p.SenderHW)
	s, t := as4(p.SenderIP), as4(p.TargetIP)
	copy(b[14:18], s[:])
	copy(b[18:24], p.TargetHW)
	copy(b[24:28], t[:])
	return b
}

// DecodeARP parses an ARP payload.
func DecodeARP(b []byte) (ARPPacket, error) {
	if len(b) < arpLen || binary.BigEndian.Uint16(b[0:]) != arpHTEther ||
		binary.BigEndian.Uint16(b[2:]) != arpPTIPv4 || b[4] != 6 || b[5] != 4 {
		return ARPPacket{}, ErrNotARP
	}
	return ARPPacket{
		Op:       binary.BigEndian.Uint16(b[6:]),
		SenderHW: net.HardwareAddr(append([]byte(nil), b[8:14]...)),
		SenderIP: netip.AddrFrom4([4]byte(b[14:18])),
		TargetHW: net.HardwareAddr(append([]byte(nil), b[18:24]...)),
		TargetIP: netip.AddrFrom4([4]byte(b[24:28])),
	}, nil
}

// ProbeARP is an RFC 5227 probe for addr: an ARP request from sender IP
// 0.0.0.0, so that no neighbour's cache learns an address we do not own yet.
func ProbeARP(hw net.HardwareAddr, addr netip.Addr) ARPPacket {
	return ARPPacket{Op: arpOpRequest, SenderHW: hw, SenderIP: netip.IPv4Unspecified(),
		TargetHW: make(net.HardwareAddr, 6), TargetIP: addr}
}

// AnnounceARP is an RFC 5227 announcement: an ARP request with addr as
// both sender and target address.
func AnnounceARP(hw net.HardwareAddr, addr netip.Addr) ARPPacket {
	return ARPPacket{Op: arpOpRequest, SenderHW: hw, SenderIP: addr,
		TargetHW: make(net.HardwareAddr, 6), TargetIP: addr}
}

func as4(a netip.Addr) [4]byte {
	if !a.Is4() {
		return [4]byte{}
	}
	return a.As4()
}
