package transport_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/dhcpagent/dhcpagent/transport/transporttest"
)

// TestSend: a message to a server's address is its unicast, one to the
// zero Addr a broadcast; an ARP probe has sender IP 0.0.0.0, an
// announcement the address; the sender's error comes back.
func TestSend(t *testing.T) {
	var got []transporttest.Packet
	fail := errors.New("network is down")
	s := transporttest.Sender(func(p transporttest.Packet) error { got = append(got, p); return fail })
	from, srv := netip.MustParseAddr("198.18.0.10"), netip.MustParseAddr("198.18.0.1")
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	if err := transport.Send(s, 3, from, srv, []byte{1}); !errors.Is(err, fail) {
		t.Fatalf("Send = %v, want the sender's error", err)
	}
	transport.Send(s, 3, netip.Addr{}, netip.Addr{}, []byte{2})
	transport.SendARP(s, 4, hw, from, false)
	transport.SendARP(s, 4, hw, from, true)
	if len(got) != 4 {
		t.Fatalf("%d packets, want 4", len(got))
	}
	if u := got[0]; u.Broadcast() || u.To != srv || u.From != from || u.Ifindex != 3 {
		t.Errorf("unicast = %+v", u)
	}
	if b := got[1]; !b.Broadcast() || b.From.IsValid() || b.Ifindex != 3 {
		t.Errorf("broadcast = %+v", b)
	}
	probe, announce := got[2].ARP, got[3].ARP
	if probe == nil || probe.SenderIP != netip.IPv4Unspecified() || probe.TargetIP != from || got[2].Ifindex != 4 {
		t.Errorf("probe = %+v", got[2])
	}
	if announce == nil || announce.SenderIP != from || announce.TargetIP != from || announce.SenderHW.String() != hw.String() {
		t.Errorf("announcement = %+v", got[3])
	}
}
