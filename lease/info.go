package lease

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/rfc1035label"
)

// ErrNoOption means none of the messages carries the option asked for.
var ErrNoOption = errors.New("option not present")

// Lookup reads an option the way illumos dhcpinfo does, from the first of
// msgs that has it (the latest ACK, then the lease's first ACK). spec is a
// code, a name (OptionCode), vendor:N for sub-option N of option 43
// (RFC 2132 §8.4), or field:OFFSET:LEN for raw bytes of the packet.
// It returns the value as lines of text and the raw bytes.
func Lookup(msgs []*dhcpv4.DHCPv4, spec string) (values []string, raw []byte, err error) {
	kind, rest, _ := strings.Cut(spec, ":")
	switch kind {
	case "field":
		return lookupField(msgs, rest)
	case "vendor":
		return lookupVendor(msgs, rest)
	}
	code, err := OptionCode(spec)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range msgs {
		if m == nil || !m.Options.Has(dhcpv4.GenericOptionCode(code)) {
			continue
		}
		raw = m.Options.Get(dhcpv4.GenericOptionCode(code))
		return format(code, raw), raw, nil
	}
	return nil, nil, fmt.Errorf("%w: %s", ErrNoOption, spec)
}

func lookupField(msgs []*dhcpv4.DHCPv4, rest string) ([]string, []byte, error) {
	o, l, ok := strings.Cut(rest, ":")
	off, err1 := strconv.Atoi(o)
	n, err2 := strconv.Atoi(l)
	if !ok || err1 != nil || err2 != nil || off < 0 || n <= 0 {
		return nil, nil, fmt.Errorf("field:%s: want field:OFFSET:LEN", rest)
	}
	for _, m := range msgs {
		if m == nil {
			continue
		}
		b := m.ToBytes()
		if n > len(b) || off > len(b)-n { // off+n could overflow
			return nil, nil, fmt.Errorf("field:%s: beyond the %d-byte packet", rest, len(b))
		}
		raw := b[off : off+n]
		return []string{hex.EncodeToString(raw)}, raw, nil
	}
	return nil, nil, fmt.Errorf("%w: no packet", ErrNoOption)
}

func lookupVendor(msgs []*dhcpv4.DHCPv4, rest string) ([]string, []byte, error) {
	want, err := strconv.ParseUint(rest, 10, 8)
	if err != nil {
		return nil, nil, fmt.Errorf("vendor:%s: want vendor:N with N from 0 to 255", rest)
	}
	for _, m := range msgs {
		if m == nil {
			continue
		}
		v := m.Options.Get(dhcpv4.OptionVendorSpecificInformation)
		for len(v) >= 2 {
			code, size := v[0], int(v[1])
			if code == 0 || code == 255 {
				v = v[1:] // pad and end are one byte
				continue
			}
			if 2+size > len(v) {
				break
			}
			if uint64(code) == want {
				raw := v[2 : 2+size]
				return []string{hex.EncodeToString(raw)}, raw, nil
			}
			v = v[2+size:]
		}
	}
	return nil, nil, fmt.Errorf("%w: vendor:%s", ErrNoOption, rest)
}

// format renders an option value as dhcpinfo would: addresses, names and
// numbers one per line; anything else in hex.
func format(code uint8, b []byte) []string {
	switch code {
	case 1, 3, 4, 5, 6, 7, 9, 28, 41, 42, 44, 45, 48, 49, 50, 54, 65, 69, 70, 71, 72, 73, 74, 75, 76:
		if len(b) > 0 && len(b)%4 == 0 {
			var out []string
			for i := 0; i < len(b); i += 4 {
				out = append(out, net.IP(b[i:i+4]).String())
			}
			return out
		}
	case 12, 14, 15, 17, 40, 47, 56, 60, 64, 66, 67:
		return []string{string(b)}
	case 2, 24, 35, 38, 51, 58, 59, 108:
		if len(b) == 4 {
			return []string{strconv.FormatUint(uint64(binary.BigEndian.Uint32(b)), 10)}
		}
	case 13, 22, 26, 57:
		if len(b) == 2 {
			return []string{strconv.FormatUint(uint64(binary.BigEndian.Uint16(b)), 10)}
		}
	case 19, 20, 23, 27, 29, 30, 31, 34, 36, 37, 39, 46, 52, 53:
		if len(b) == 1 {
			return []string{strconv.Itoa(int(b[0]))}
		}
	case 121:
		var r dhcpv4.Routes
		if r.FromBytes(b) == nil {
			var out []string
			for _, rt := range r {
				out = append(out, rt.Dest.String()+" "+rt.Router.String())
			}
			return out
		}
	case 119:
		if l, err := rfc1035label.FromBytes(b); err == nil && len(l.Labels) > 0 {
			return l.Labels
		}
	}
	return []string{hex.EncodeToString(b)}
}
