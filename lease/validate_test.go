package lease

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestYiaddrProblem(t *testing.T) {
	srv := netip.MustParseAddr("198.18.0.1")
	m24 := net.CIDRMask(24, 32)
	for _, tc := range []struct {
		ip   string
		mask net.IPMask
		bad  bool
	}{
		{"198.18.0.10", m24, false},
		{"198.18.0.1", m24, true},   // the server's own
		{"198.18.0.0", m24, true},   // network
		{"198.18.0.255", m24, true}, // broadcast
		{"240.0.0.5", m24, true},    // class E
		{"198.18.0.0", net.CIDRMask(31, 32), false},
		{"198.18.0.255", net.CIDRMask(32, 32), false},
		{"198.18.0.255", net.IPv4Mask(0, 0, 0, 0), true}, // 0.0.0.0 falls back to classful /24
		{"198.18.0.7", net.IPv4Mask(0, 0, 0, 0), false},
	} {
		got := yiaddrProblem(netip.MustParseAddr(tc.ip), srv, tc.mask)
		if (got != "") != tc.bad {
			t.Errorf("%s mask %v: %q, want bad=%v", tc.ip, tc.mask, got, tc.bad)
		}
	}
}

func TestPrefixLenNeverZero(t *testing.T) {
	ip := netip.MustParseAddr("198.18.0.7")
	if n := prefixLen(net.IPv4Mask(0, 0, 0, 0), ip); n == 0 {
		t.Fatalf("mask 0.0.0.0 gave /0")
	}
	if n := prefixLen(net.IPv4Mask(255, 0, 255, 0), ip); n != 24 {
		t.Fatalf("non-contiguous mask gave /%d, want classful /24", n)
	}
}

// TestCheckReplyMaskAsInstalled: the network and broadcast checks read the
// mask the lease would install. With option 1 ignored, .127 under the
// server's /25 is the classful /24's ordinary host, so it is accepted;
// with option 1 honoured it is the /25's broadcast, refused.
func TestCheckReplyMaskAsInstalled(t *testing.T) {
	m, err := dhcpv4.New(dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 127)),
		dhcpv4.WithServerIP(net.IPv4(198, 18, 0, 1)),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 18, 0, 1))),
		dhcpv4.WithOption(dhcpv4.OptSubnetMask(net.CIDRMask(25, 32))))
	if err != nil {
		t.Fatal(err)
	}
	honour := Config{}
	if err := honour.checkReply(m); !errors.Is(err, ErrBadAddress) {
		t.Errorf("option 1 honoured: %v, want ErrBadAddress", err)
	}
	ignore := Config{Ignore: []dhcpv4.OptionCode{dhcpv4.OptionSubnetMask}}
	if err := ignore.checkReply(m); errors.Is(err, ErrBadAddress) {
		t.Errorf("option 1 ignored: %v, want the address accepted", err)
	}
	if got := ignore.newLease(m, time.Time{}).Addr.Bits(); got != 24 {
		t.Errorf("option 1 ignored: /%d installed, want the classful /24", got)
	}
}
