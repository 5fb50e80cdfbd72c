package transport

import (
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func replyFrame(t testing.TB, xid uint32, hw net.HardwareAddr) []byte {
	m, err := dhcpv4.New(dhcpv4.WithTransactionID(dhcpv4.TransactionID{byte(xid >> 24), byte(xid >> 16), byte(xid >> 8), byte(xid)}),
		dhcpv4.WithHwAddr(hw), dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer))
	if err != nil {
		t.Fatal(err)
	}
	m.OpCode = dhcpv4.OpcodeBootReply
	return reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, m.ToBytes()))
}

func TestDispatcher(t *testing.T) {
	hwA := net.HardwareAddr{2, 0, 0, 0, 0, 0xa}
	hwB := net.HardwareAddr{2, 0, 0, 0, 0, 0xb}
	d := NewDispatcher()
	var got []string
	d.Bind(1, hwA, func(*dhcpv4.DHCPv4) { got = append(got, "A") })
	d.Bind(2, hwB, func(*dhcpv4.DHCPv4) { got = append(got, "B") })

	d.Dispatch(replyFrame(t, 1, hwA)) // A's transaction
	d.Dispatch(replyFrame(t, 2, hwB)) // B's, wherever it arrived
	d.Dispatch(replyFrame(t, 1, hwB)) // A's xid but B's address: not A's
	d.Dispatch(replyFrame(t, 3, hwA)) // no such transaction
	d.Dispatch([]byte{0x45, 0, 0})    // garbage
	d.Unbind(2, hwA)                  // not A's to unbind: B keeps it
	d.Dispatch(replyFrame(t, 2, hwB))
	d.Unbind(1, hwA)
	d.Dispatch(replyFrame(t, 1, hwA))

	if diff := cmp.Diff([]string{"A", "B", "B"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	want := DispatchStats{Received: 7, Malformed: 1, Unmatched: 3}
	if diff := cmp.Diff(want, d.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestNewXIDAvoidsBound(t *testing.T) {
	d := NewDispatcher()
	seen := make(map[uint32]bool)
	for range 1000 {
		x := d.NewXID()
		if x == 0 || seen[x] {
			t.Fatalf("NewXID returned %d, zero or already bound", x)
		}
		seen[x] = true
		d.Bind(x, net.HardwareAddr{2, 0, 0, 0, 0, 1}, func(*dhcpv4.DHCPv4) {})
	}
}

// FuzzDispatch feeds arbitrary frames to the receive path: nothing panics
// and every frame is counted exactly once.
func FuzzDispatch(f *testing.F) {
	f.Add(replyFrame(f, 1, net.HardwareAddr{2, 0, 0, 0, 0, 1}))
	f.Add([]byte{0x45})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDispatcher()
		d.Bind(1, net.HardwareAddr{2, 0, 0, 0, 0, 1}, func(*dhcpv4.DHCPv4) {})
		d.Dispatch(b)
		if s := d.Stats(); s.Received != 1 || s.Malformed+s.Unmatched > 1 {
			t.Fatalf("stats %+v after one frame", s)
		}
	})
}
