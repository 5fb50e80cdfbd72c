package transport

import (
	"bytes"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// overloaded is an ACK whose options field holds 53, 6 (first half) and
// 52 = how; file holds 54, 51, the rest of 6 and an end; sname holds 1, 3
// and an end, plus a 52 of its own that must be ignored.
func overloaded(t testing.TB, how byte) []byte {
	m, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithGeneric(dhcpv4.OptionDomainNameServer, []byte{198, 18, 0, 53}),
		dhcpv4.WithGeneric(dhcpv4.OptionOptionOverload, []byte{how}))
	if err != nil {
		t.Fatal(err)
	}
	m.OpCode = dhcpv4.OpcodeBootReply
	b := m.ToBytes()
	copy(b[fileOff:], []byte{54, 4, 198, 18, 0, 1, 51, 4, 0, 0, 0x0e, 0x10, 6, 4, 198, 18, 0, 54, 255})
	copy(b[snameOff:], []byte{1, 4, 255, 255, 255, 0, 0, 3, 4, 198, 18, 0, 1, 52, 1, 1, 255})
	return b
}

func TestDecodeReplyOverload(t *testing.T) {
	m, err := DecodeReply(overloaded(t, overloadBoth))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.ServerIdentifier(); !got.Equal(net.IPv4(198, 18, 0, 1)) {
		t.Errorf("server id %v, want it from the file field", got)
	}
	if got := m.IPAddressLeaseTime(0); got.Seconds() != 3600 {
		t.Errorf("lease time %v, want 1h from the file field", got)
	}
	if got := m.SubnetMask(); !bytes.Equal(got, net.CIDRMask(24, 32)) {
		t.Errorf("mask %v, want /24 from the sname field", got)
	}
	if got := m.Router(); len(got) != 1 || !got[0].Equal(net.IPv4(198, 18, 0, 1)) {
		t.Errorf("routers %v, want one from the sname field", got)
	}
	// RFC 3396 §5: the options field's part first, then the file's.
	if diff := cmp.Diff([]byte{198, 18, 0, 53, 198, 18, 0, 54}, m.Options.Get(dhcpv4.OptionDomainNameServer)); diff != "" {
		t.Errorf("option 6 concatenated (-want +got):\n%s", diff)
	}
	if m.BootFileName != "" || m.ServerHostName != "" || m.Options.Has(dhcpv4.OptionOptionOverload) {
		t.Errorf("file %q, sname %q, 52 present %v: the fields must not read as names, 52 must go",
			m.BootFileName, m.ServerHostName, m.Options.Has(dhcpv4.OptionOptionOverload))
	}
	// Stored and read back (store/), it is the same message.
	again, err := DecodeReply(m.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m.Options, again.Options); diff != "" {
		t.Errorf("round trip (-first +again):\n%s", diff)
	}
}

func TestDecodeReplyOverloadOneField(t *testing.T) {
	m, err := DecodeReply(overloaded(t, overloadFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.ServerIdentifier() == nil || m.Options.Has(dhcpv4.OptionSubnetMask) || m.ServerHostName == "" {
		t.Errorf("52 = 1: server id %v, mask present %v, sname %q: want only the file field read",
			m.ServerIdentifier(), m.Options.Has(dhcpv4.OptionSubnetMask), m.ServerHostName)
	}
	m, err = DecodeReply(overloaded(t, overloadSname))
	if err != nil {
		t.Fatal(err)
	}
	if m.ServerIdentifier() != nil || m.SubnetMask() == nil || m.BootFileName == "" {
		t.Errorf("52 = 2: server id %v, mask %v, file %q: want only the sname field read",
			m.ServerIdentifier(), m.SubnetMask(), m.BootFileName)
	}
}

func TestDecodeReplyOverloadMalformed(t *testing.T) {
	for _, how := range []byte{0, 4, 255} {
		if _, err := DecodeReply(overloaded(t, how)); err == nil {
			t.Errorf("52 = %d decoded", how)
		}
	}
	b := overloaded(t, overloadFile)
	copy(b[fileOff+fileLen-3:], []byte{6, 200, 1}) // an option running past the field
	for i := fileOff + 18; i < fileOff+fileLen-3; i++ {
		b[i] = 0 // no end option: padding up to it
	}
	if _, err := DecodeReply(b); err == nil {
		t.Error("an option running past the file field decoded")
	}
	plain, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck))
	if err != nil {
		t.Fatal(err)
	}
	plain.BootFileName = "pxelinux.0"
	if m, err := DecodeReply(plain.ToBytes()); err != nil || m.BootFileName != "pxelinux.0" {
		t.Errorf("without 52: %v, file %q: want the file name kept", err, m.BootFileName)
	}
	// An empty 52 (code, length 0) is malformed too, not "no 52": it
	// must not pass as an unoverloaded message still carrying it (found
	// by the long fuzz campaign).
	empty := plain.ToBytes()
	opts := empty[240:]
	end := bytes.IndexByte(opts, byte(dhcpv4.OptionEnd.Code()))
	if end < 0 {
		t.Fatal("no end option")
	}
	empty = append(append(empty[:240+end:240+end], byte(dhcpv4.OptionOptionOverload.Code()), 0), opts[end:]...)
	if m, err := DecodeReply(empty); err == nil {
		t.Errorf("an empty 52 decoded: %v", m.Options)
	}
}

// FuzzDecodeReply: no input panics, and what decodes is stable: encoded
// (as the store does) and decoded again, it has the same options.
func FuzzDecodeReply(f *testing.F) {
	f.Add(overloaded(f, overloadBoth))
	f.Add(overloaded(f, overloadFile))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeReply(b)
		if err != nil {
			return
		}
		if m.Options.Has(dhcpv4.OptionOptionOverload) {
			t.Fatal("52 survived the decoding")
		}
		again, err := DecodeReply(m.ToBytes())
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if diff := cmp.Diff(m.Options, again.Options); diff != "" {
			t.Fatalf("round trip (-first +again):\n%s", diff)
		}
	})
}

// TestDispatchHonoursOverload: the receive path hands the transaction the
// options the file and sname fields carried.
func TestDispatchHonoursOverload(t *testing.T) {
	b := overloaded(t, overloadBoth)
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	copy(b[4:8], []byte{0, 0, 0, 9})
	b[2] = 6
	copy(b[28:], hw)
	d := NewDispatcher()
	var got *dhcpv4.DHCPv4
	d.Bind(9, 1, hw, func(m *dhcpv4.DHCPv4, _ error) { got = m })
	d.Dispatch(reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, b)), Origin{Ifindex: 1})
	if got == nil || got.ServerIdentifier() == nil || got.SubnetMask() == nil {
		t.Fatalf("delivered %v, want the overloaded options", got)
	}
}

// TestDispatchReportsMalformed: a frame of a bound transaction that does
// not decode reaches the transaction as an error, counted as malformed; one
// of no transaction is only counted.
func TestDispatchReportsMalformed(t *testing.T) {
	b := overloaded(t, 4) // a 52 of no meaning
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	copy(b[4:8], []byte{0, 0, 0, 9})
	b[2] = 6
	copy(b[28:], hw)
	d := NewDispatcher()
	var errs []error
	d.Bind(9, 1, hw, func(m *dhcpv4.DHCPv4, err error) {
		if m != nil || err == nil {
			t.Fatalf("delivered %v, %v: want only an error", m, err)
		}
		errs = append(errs, err)
	})
	d.Dispatch(reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, b)), Origin{Ifindex: 1})
	copy(b[4:8], []byte{0, 0, 0, 10})
	d.Dispatch(reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, b)), Origin{Ifindex: 1})
	if len(errs) != 1 || d.Stats().Malformed != 1 || d.Stats().Unmatched != 1 {
		t.Fatalf("errors %v, stats %+v: want one error delivered, one malformed, one unmatched", errs, d.Stats())
	}
	// Cut before its options, its xid and chaddr still say whose it is;
	// cut inside chaddr it is no one's.
	copy(b[4:8], []byte{0, 0, 0, 9})
	d.Dispatch(reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, b[:200])), Origin{Ifindex: 1})
	if len(errs) != 2 || !strings.Contains(errs[1].Error(), "cut before its options") || d.Stats().Malformed != 2 {
		t.Fatalf("errors %v, stats %+v: want the cut reply delivered as an error", errs, d.Stats())
	}
	d.Dispatch(reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, b[:40])), Origin{Ifindex: 1})
	if len(errs) != 2 || d.Stats().Malformed != 3 {
		t.Fatalf("errors %v, stats %+v: want a frame cut inside chaddr only counted", errs, d.Stats())
	}
}
