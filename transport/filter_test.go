package transport

import (
	"net/netip"
	"testing"

	"golang.org/x/net/bpf"
)

// TestReplyFilter runs the socket filter in x/net/bpf's interpreter. The
// interpreter has no ancillary data, so the PACKET_OUTGOING check is skipped
// by starting after it.
func TestReplyFilter(t *testing.T) {
	insns, ok := bpf.Disassemble(replyFilter)
	if !ok {
		t.Fatal("filter does not disassemble")
	}
	vm, err := bpf.NewVM(insns[2:])
	if err != nil {
		t.Fatal(err)
	}
	reply := func(mut func(b []byte)) []byte {
		b := EncodeUDP4(netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.100"), make([]byte, 300))
		// EncodeUDP4 builds client messages (68 -> 67); turn it around.
		b[20], b[21], b[22], b[23] = 0, ServerPort, 0, ClientPort
		if mut != nil {
			mut(b)
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		frame  []byte
		accept bool
	}{
		{"reply to port 68", reply(nil), true},
		{"request to port 67", EncodeUDP4(netip.IPv4Unspecified(), netip.MustParseAddr("255.255.255.255"), make([]byte, 300)), false},
		{"TCP", reply(func(b []byte) { b[9] = 6 }), false},
		{"more fragments", reply(func(b []byte) { b[6] = 0x20 }), false},
		{"fragment offset", reply(func(b []byte) { b[7] = 1 }), false},
		{"IPv4 options", func() []byte {
			b := reply(nil)
			opt := append(append([]byte{}, b[:20]...), 1, 1, 1, 1) // four NOPs
			opt[0] = 0x46
			return append(opt, b[20:]...)
		}(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := vm.Run(tc.frame)
			if err != nil {
				t.Fatal(err)
			}
			if got := n > 0; got != tc.accept {
				t.Fatalf("accepted = %v, want %v", got, tc.accept)
			}
		})
	}
}
