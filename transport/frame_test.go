package transport

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

var (
	any4  = netip.IPv4Unspecified()
	bcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})
)

func TestEncodeUDP4(t *testing.T) {
	payload := []byte("hello, server")
	b := EncodeUDP4(any4, bcast, payload)
	if len(b) != 20+8+len(payload) {
		t.Fatalf("length %d, want %d", len(b), 20+8+len(payload))
	}
	if fold(sum(b[:20], 0)) != 0xffff {
		t.Error("IPv4 header checksum does not verify")
	}
	pseudo := sum(b[12:20], uint32(protoUDP)+uint32(len(b)-20))
	if fold(sum(b[20:], pseudo)) != 0xffff {
		t.Error("UDP checksum does not verify")
	}
	if b[20] != 0 || b[21] != 68 || b[22] != 0 || b[23] != 67 {
		t.Errorf("ports % x, want 68 -> 67", b[20:24])
	}
}

// reverse turns an encoded client message into a server reply to port 68.
func reverse(b []byte) []byte {
	b[20], b[21], b[22], b[23] = 0, ServerPort, 0, ClientPort
	return b
}

func TestDecodeUDP4(t *testing.T) {
	server := netip.MustParseAddr("198.18.0.1")
	payload := []byte("offer")
	got, src, err := DecodeUDP4(reverse(EncodeUDP4(server, bcast, payload)))
	if err != nil || !bytes.Equal(got, payload) || src != server {
		t.Fatalf("DecodeUDP4 = %q, %v, %v; want %q from %v", got, src, err, payload, server)
	}
	// Trailing link-layer padding beyond the IP total length is ignored.
	padded := append(reverse(EncodeUDP4(server, bcast, payload)), 0, 0, 0, 0)
	if got, _, err := DecodeUDP4(padded); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("padded frame: %q, %v", got, err)
	}
}

func TestDecodeUDP4Errors(t *testing.T) {
	good := func() []byte { return reverse(EncodeUDP4(any4, bcast, []byte("x"))) }
	mut := func(f func(b []byte) []byte) []byte { return f(good()) }
	for _, tc := range []struct {
		name  string
		frame []byte
		want  error
	}{
		{"empty", nil, ErrShort},
		{"IPv6", mut(func(b []byte) []byte { b[0] = 0x60; return b }), ErrNotIPv4},
		{"truncated", mut(func(b []byte) []byte { return b[:25] }), ErrShort},
		{"TCP", mut(func(b []byte) []byte { b[9] = 6; return b }), ErrNotUDP},
		{"fragment", mut(func(b []byte) []byte { b[6] = 0x20; return b }), ErrFragment},
		{"checksum", mut(func(b []byte) []byte { b[8]--; return b }), ErrChecksum},
		{"port 67", EncodeUDP4(any4, bcast, []byte("x")), ErrPort},
		{"UDP length", mut(func(b []byte) []byte { b[24], b[25] = 0xff, 0xff; return b }), ErrShort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := DecodeUDP4(tc.frame); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzDecodeUDP4 checks that no input panics and that whatever decodes
// round-trips through EncodeUDP4.
func FuzzDecodeUDP4(f *testing.F) {
	f.Add(reverse(EncodeUDP4(any4, bcast, []byte("seed"))))
	f.Add([]byte{0x45})
	f.Fuzz(func(t *testing.T, b []byte) {
		payload, src, err := DecodeUDP4(b)
		if err != nil {
			return
		}
		again, src2, err := DecodeUDP4(reverse(EncodeUDP4(src, bcast, payload)))
		if err != nil || !bytes.Equal(again, payload) || src2 != src {
			t.Fatalf("round trip: %q from %v, %v; want %q from %v", again, src2, err, payload, src)
		}
	})
}
