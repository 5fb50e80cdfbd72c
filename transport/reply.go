package transport

import (
	"errors"
	"fmt"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Offsets of the BOOTP fields option overload reuses (RFC 2131 §2).
const (
	snameOff, snameLen = 44, 64
	fileOff, fileLen   = 108, 128
)

// Values of option 52 (RFC 2132 §9.3): which fields carry options.
const (
	overloadFile  = 1
	overloadSname = 2
	overloadBoth  = 3
)

var errOverload = errors.New("option overload (52)")

// DecodeReply parses a DHCP message and honours option overload (RFC
// 2132 §9.3): when option 52 says the file and/or sname fields carry
// options, they are read from those fields and appended to the options
// field's in the order of RFC 3396 §5 (options, file, sname), the fields
// no longer read as names, and option 52 is dropped, so the message is
// what an unoverloaded one would be (and is stored so). Only the options
// field's 52 counts: one inside file or sname is ignored, as RFC 2131 §4.1
// has the client read those fields once. A 52 of the wrong size or value,
// or a field whose options run past its end, make the message malformed.
func DecodeReply(payload []byte) (*dhcpv4.DHCPv4, error) {
	m, err := dhcpv4.FromBytes(payload)
	if err != nil {
		return nil, err
	}
	if !m.Options.Has(dhcpv4.OptionOptionOverload) {
		return m, nil
	}
	// Has, not a nil Get: an empty 52 decodes to a nil value and is as
	// malformed as one of the wrong size.
	v := m.Options.Get(dhcpv4.OptionOptionOverload)
	if len(v) != 1 || v[0] < overloadFile || v[0] > overloadBoth {
		return nil, fmt.Errorf("%w: value % x", errOverload, v)
	}
	if len(payload) < fileOff+fileLen {
		return nil, fmt.Errorf("%w: message too short", errOverload)
	}
	extra := dhcpv4.Options{}
	if v[0]&overloadFile != 0 {
		if err := extra.FromBytes(payload[fileOff : fileOff+fileLen]); err != nil {
			return nil, fmt.Errorf("%w: file field: %v", errOverload, err)
		}
		m.BootFileName = ""
	}
	sname := dhcpv4.Options{}
	if v[0]&overloadSname != 0 {
		if err := sname.FromBytes(payload[snameOff : snameOff+snameLen]); err != nil {
			return nil, fmt.Errorf("%w: sname field: %v", errOverload, err)
		}
		m.ServerHostName = ""
	}
	delete(m.Options, dhcpv4.OptionOptionOverload.Code())
	for _, o := range []dhcpv4.Options{extra, sname} {
		for code, val := range o {
			if code == dhcpv4.OptionOptionOverload.Code() {
				continue
			}
			m.Options[code] = append(m.Options[code], val...)
		}
	}
	return m, nil
}
