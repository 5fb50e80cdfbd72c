package lease

import (
	"errors"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/rfc1035label"
)

func TestLookup(t *testing.T) {
	first := reply(dhcpv4.MessageTypeAck, 1, append(good(),
		dhcpv4.WithOption(dhcpv4.OptDNS(net.IPv4(198, 18, 0, 53), net.IPv4(198, 18, 0, 54))),
		dhcpv4.WithOption(dhcpv4.OptDomainName("lab.example")),
		dhcpv4.WithOption(dhcpv4.OptDomainSearch(&rfc1035label.Labels{Labels: []string{"a.example", "b.example"}})),
		dhcpv4.WithGeneric(dhcpv4.OptionVendorSpecificInformation, []byte{1, 2, 0xca, 0xfe, 0, 7, 1, 0x42}),
		dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(&dhcpv4.Route{Dest: mustNet("198.19.0.0/16"), Router: net.IPv4(198, 18, 0, 1)})),
	)...)
	latest := reply(dhcpv4.MessageTypeAck, 2, good()...) // a renewal's ACK, with fewer options
	msgs := []*dhcpv4.DHCPv4{latest, first}
	for _, tc := range []struct {
		spec string
		want []string
	}{
		{"router", []string{"198.18.0.1"}},
		{"3", []string{"198.18.0.1"}},
		{"dns", []string{"198.18.0.53", "198.18.0.54"}}, // only in the first ACK
		{"domain", []string{"lab.example"}},
		{"domain-search", []string{"a.example", "b.example"}},
		{"lease-time", []string{"120"}},
		{"subnet-mask", []string{"255.255.255.0"}},
		{"classless-routes", []string{"198.19.0.0/16 198.18.0.1"}},
		{"vendor:1", []string{"cafe"}},
		{"vendor:7", []string{"42"}},
		{"field:0:1", []string{"02"}}, // op: BOOTREPLY
		{"field:4:4", []string{"00000002"}},
	} {
		got, _, err := Lookup(msgs, tc.spec)
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
	for _, spec := range []string{"ntp", "vendor:9", "field:1000:4"} {
		if _, _, err := Lookup(msgs, spec); err == nil {
			t.Errorf("Lookup(%q) succeeded", spec)
		}
	}
	if _, _, err := Lookup(msgs, "ntp"); !errors.Is(err, ErrNoOption) {
		t.Errorf("absent option: %v, want ErrNoOption", err)
	}
	for _, spec := range []string{"bogus", "field:x:1", "vendor:300", "0", "256",
		"field:9223372036854775807:1", "field:1:9223372036854775807", "field:9223372036854775807:9223372036854775807"} {
		if _, _, err := Lookup(msgs, spec); err == nil || errors.Is(err, ErrNoOption) {
			t.Errorf("Lookup(%q) = %v, want a bad-argument error", spec, err)
		}
	}
}
