package metrics

import (
	"net"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func message(t testing.TB, typ dhcpv4.MessageType, ciaddr net.IP) []byte {
	t.Helper()
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	m, err := dhcpv4.New(dhcpv4.WithHwAddr(hw), dhcpv4.WithTransactionID(dhcpv4.TransactionID{1, 2, 3, 4}),
		dhcpv4.WithMessageType(typ), dhcpv4.WithClientIP(ciaddr),
		dhcpv4.WithOption(dhcpv4.OptHostName("h")))
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBytes()
}

func TestScan(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      []byte
		want   summary
		wantOK bool
	}{
		{"discover", message(t, dhcpv4.MessageTypeDiscover, nil), summary{0x01020304, dhcpv4.MessageTypeDiscover, false}, true},
		{"renew", message(t, dhcpv4.MessageTypeRequest, net.IPv4(198, 18, 0, 9)), summary{0x01020304, dhcpv4.MessageTypeRequest, true}, true},
		{"short", []byte{1, 2, 3}, summary{}, false},
		{"no cookie", make([]byte, 300), summary{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scan(tc.b)
			if ok != tc.wantOK || ok && got != tc.want {
				t.Errorf("scan = %+v, %v; want %+v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// FuzzScan checks that scan ends on any input and agrees with the codec on
// the type of every message the codec accepts.
func FuzzScan(f *testing.F) {
	f.Add(message(f, dhcpv4.MessageTypeDiscover, nil))
	f.Add(message(f, dhcpv4.MessageTypeAck, net.IPv4(198, 18, 0, 9)))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := scan(b)
		m, err := dhcpv4.FromBytes(b)
		if err != nil || !ok {
			return
		}
		if m.MessageType() != s.typ || m.TransactionID != dhcpv4.TransactionID([4]byte(b[4:8])) {
			t.Errorf("scan %+v, codec type %v xid %v", s, m.MessageType(), m.TransactionID)
		}
	})
}
