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
	d.Bind(1, 10, hwA, func(*dhcpv4.DHCPv4, error) { got = append(got, "A") })
	d.Bind(2, 11, hwB, func(*dhcpv4.DHCPv4, error) { got = append(got, "B") })
	onA, onB := Origin{Ifindex: 10}, Origin{Ifindex: 11}
	bcastOnA, bcastOnB := Origin{Ifindex: 10, Broadcast: true}, Origin{Ifindex: 11, Broadcast: true}

	d.Dispatch(replyFrame(t, 1, hwA), onA)      // A's transaction
	d.Dispatch(replyFrame(t, 2, hwB), onA)      // B's, unicast to a sibling: taken
	d.Dispatch(replyFrame(t, 2, hwB), bcastOnA) // B's broadcast, A's copy: B has its own
	d.Dispatch(replyFrame(t, 2, hwB), bcastOnB) // B's broadcast, B's copy
	d.Dispatch(replyFrame(t, 1, hwB), onA)      // A's xid but B's address: not A's
	d.Dispatch(replyFrame(t, 3, hwA), onA)      // no such transaction
	d.Dispatch([]byte{0x45, 0, 0}, onA)         // garbage
	d.Unbind(2, hwA)                            // not A's to unbind: B keeps it
	d.Dispatch(replyFrame(t, 2, hwB), onB)
	d.Unbind(1, hwA)
	d.Dispatch(replyFrame(t, 1, hwA), onA)

	if diff := cmp.Diff([]string{"A", "B", "B", "B"}, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	want := DispatchStats{Received: 9, Malformed: 1, Unmatched: 3, Duplicates: 1}
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
		d.Bind(x, 1, net.HardwareAddr{2, 0, 0, 0, 0, 1}, func(*dhcpv4.DHCPv4, error) {})
	}
}

// FuzzDispatch feeds arbitrary frames to the receive path: nothing panics
// and every frame is counted exactly once.
func FuzzDispatch(f *testing.F) {
	f.Add(replyFrame(f, 1, net.HardwareAddr{2, 0, 0, 0, 0, 1}))
	f.Add([]byte{0x45})
	// A reply of transaction 1 cut before its options (200 bytes of the
	// 236-byte fixed part), and one cut inside chaddr.
	m, err := dhcpv4.New(dhcpv4.WithTransactionID(dhcpv4.TransactionID{0, 0, 0, 1}), dhcpv4.WithHwAddr(net.HardwareAddr{2, 0, 0, 0, 0, 1}))
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range []int{200, 40} {
		f.Add(reverse(EncodeUDP4(netip.MustParseAddr("198.18.0.1"), bcast, m.ToBytes()[:n])))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDispatcher()
		d.Bind(1, 1, net.HardwareAddr{2, 0, 0, 0, 0, 1}, func(*dhcpv4.DHCPv4, error) {})
		d.Dispatch(b, Origin{Ifindex: 1, Broadcast: len(b)%2 == 0})
		if s := d.Stats(); s.Received != 1 || s.Malformed+s.Unmatched+s.Duplicates > 1 {
			t.Fatalf("stats %+v after one frame", s)
		}
	})
}
