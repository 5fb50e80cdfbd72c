package transporttest

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/dhcpagent/dhcpagent/transport"
)

// TestSender: each method hands the function one Packet saying what was
// asked, and returns the function's answer.
func TestSender(t *testing.T) {
	var got []Packet
	down := errors.New("network is down")
	srv := netip.MustParseAddr("198.18.0.1")
	f := Sender(func(p Packet) error {
		got = append(got, p)
		if p.Ifindex == 9 {
			return down
		}
		return nil
	})
	from := netip.MustParseAddr("198.18.0.100")
	if err := f.Broadcast(2, netip.Addr{}, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Unicast(3, from, srv, []byte{2}); err != nil {
		t.Fatal(err)
	}
	if err := f.ARP(4, transport.ARPPacket{Op: 1, SenderIP: from}); err != nil {
		t.Fatal(err)
	}
	if err := f.Broadcast(9, netip.Addr{}, nil); !errors.Is(err, down) {
		t.Fatalf("Broadcast on 9 = %v, want the function's error", err)
	}
	if len(got) != 4 {
		t.Fatalf("%d packets, want 4", len(got))
	}
	if p := got[0]; p.Ifindex != 2 || p.From.IsValid() || !p.Broadcast() || p.Payload[0] != 1 || p.ARP != nil {
		t.Errorf("broadcast = %+v", p)
	}
	if p := got[1]; p.Ifindex != 3 || p.From != from || p.To != srv || p.Broadcast() || p.Payload[0] != 2 {
		t.Errorf("unicast = %+v", p)
	}
	if p := got[2]; p.Ifindex != 4 || p.ARP == nil || p.ARP.SenderIP != from || p.Broadcast() || p.Payload != nil {
		t.Errorf("ARP = %+v", p)
	}
}

// TestARP: Deliver reaches the listener of that interface only, and none
// after Unwatch.
func TestARP(t *testing.T) {
	var a ARP
	var got []int
	a.Watch(2, func(p transport.ARPPacket) { got = append(got, 2) })
	a.Watch(3, func(p transport.ARPPacket) { got = append(got, 3) })
	p := transport.ARPPacket{Op: 2, SenderIP: netip.MustParseAddr("198.18.0.100")}
	if !a.Deliver(3, p) || a.Deliver(4, p) {
		t.Fatal("Deliver reports a listener wrongly")
	}
	a.Unwatch(3)
	if a.Deliver(3, p) {
		t.Fatal("a listener after Unwatch")
	}
	if !a.Deliver(2, p) || len(got) != 2 || got[0] != 3 || got[1] != 2 {
		t.Fatalf("delivered to %v, want [3 2]", got)
	}
}
