package metrics

import (
	"encoding/binary"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// summary is what the counters need from a DHCP message: its xid, its
// type (option 53) and whether ciaddr is set (a renewal, RFC 2131 §4.3.2).
type summary struct {
	xid    uint32
	typ    dhcpv4.MessageType
	ciaddr bool
}

// BOOTP layout (RFC 2131 §2): xid at 4, ciaddr at 12, options after the
// magic cookie at 236.
const (
	optionsAt = 240
	optPad    = 0
	optEnd    = 255
	optType   = 53
)

var magicCookie = [4]byte{99, 130, 83, 99}

// scan reads a summary from a BOOTP message without parsing it whole: it
// runs on every packet sent. The walk is bounded by the buffer and each
// step advances, so any input ends; ok is false without option 53.
func scan(b []byte) (s summary, ok bool) {
	if len(b) < optionsAt || [4]byte(b[236:240]) != magicCookie {
		return s, false
	}
	s.xid = binary.BigEndian.Uint32(b[4:8])
	s.ciaddr = binary.BigEndian.Uint32(b[12:16]) != 0
	for i := optionsAt; i < len(b); {
		code := b[i]
		switch code {
		case optPad:
			i++
			continue
		case optEnd:
			return s, false
		}
		if i+1 >= len(b) {
			return s, false
		}
		n := int(b[i+1])
		if i+2+n > len(b) {
			return s, false
		}
		if code == optType && n == 1 {
			s.typ = dhcpv4.MessageType(b[i+2])
			return s, true
		}
		i += 2 + n
	}
	return s, false
}
