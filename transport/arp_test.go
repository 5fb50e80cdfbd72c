package transport

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
)

func TestARPRoundTrip(t *testing.T) {
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	addr := netip.MustParseAddr("198.18.0.100")
	for _, p := range []ARPPacket{ProbeARP(hw, addr), AnnounceARP(hw, addr)} {
		got, err := DecodeARP(EncodeARP(p))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	}
	if p := ProbeARP(hw, addr); !p.SenderIP.IsUnspecified() {
		t.Fatalf("probe sender %v, want 0.0.0.0 (RFC 5227 §2.1.1)", p.SenderIP)
	}
	if _, err := DecodeARP(make([]byte, 27)); !errors.Is(err, ErrNotARP) {
		t.Fatalf("short packet: %v", err)
	}
}

func TestARPFilter(t *testing.T) {
	insns, _ := bpf.Disassemble(arpFilter)
	vm, err := bpf.NewVM(insns[2:]) // skip the ancillary PACKET_OUTGOING check
	if err != nil {
		t.Fatal(err)
	}
	good := EncodeARP(ProbeARP(net.HardwareAddr{2, 0, 0, 0, 0, 1}, netip.MustParseAddr("198.18.0.1")))
	if n, _ := vm.Run(good); n == 0 {
		t.Error("Ethernet/IPv4 ARP dropped")
	}
	bad := append([]byte(nil), good...)
	bad[3] = 0xdd // protocol type 0x86dd
	if n, _ := vm.Run(bad); n != 0 {
		t.Error("non-IPv4 ARP accepted")
	}
}

func FuzzDecodeARP(f *testing.F) {
	f.Add(EncodeARP(ProbeARP(net.HardwareAddr{2, 0, 0, 0, 0, 1}, netip.MustParseAddr("198.18.0.1"))))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeARP(b)
		if err != nil {
			return
		}
		again, err := DecodeARP(EncodeARP(p))
		if err != nil || !cmp.Equal(p, again, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })) {
			t.Fatalf("round trip of %x: %+v, %v", b, again, err)
		}
	})
}
