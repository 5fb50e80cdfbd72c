package lease

import (
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/rfc1035label"
)

// TestDefaultGateways: the hook hears the default routes' gateways as the
// kernel gets them: option 121's when it has any (RFC 3442 §2), else
// option 3's first usable router; on-link and other routes are no gateway.
func TestDefaultGateways(t *testing.T) {
	r3 := dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 1), net.IPv4(198, 18, 0, 2)))
	for _, tc := range []struct {
		name string
		mods []dhcpv4.Modifier
		want []netip.Addr
	}{
		{"option 3", []dhcpv4.Modifier{r3}, []netip.Addr{netip.MustParseAddr("198.18.0.1")}},
		{"121 wins", []dhcpv4.Modifier{r3, dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(
			route("198.19.0.0/16", "198.18.0.9"), route("0.0.0.0/0", "198.18.0.7")))},
			[]netip.Addr{netip.MustParseAddr("198.18.0.7")}},
		{"121 without a default", []dhcpv4.Modifier{r3, dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(
			route("198.19.0.0/16", "198.18.0.9")))}, nil},
		{"on-link default", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(
			route("0.0.0.0/0", "0.0.0.0")))}, nil},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := leaseOf(t, tc.mods...)
			if diff := cmp.Diff(tc.want, l.DefaultGateways(), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearchList: option 119 wins over option 15 (RFC 3397), each left out
// when ignored.
func TestSearchList(t *testing.T) {
	o119 := dhcpv4.WithOption(dhcpv4.OptDomainSearch(&rfc1035label.Labels{Labels: []string{"a.example", "b.example"}}))
	o15 := dhcpv4.WithOption(dhcpv4.OptDomainName("c.example"))
	none := func(dhcpv4.OptionCode) bool { return false }
	no119 := func(c dhcpv4.OptionCode) bool { return c.Code() == dhcpv4.OptionDNSDomainSearchList.Code() }
	all := func(dhcpv4.OptionCode) bool { return true }
	for _, tc := range []struct {
		name    string
		mods    []dhcpv4.Modifier
		ignored func(dhcpv4.OptionCode) bool
		want    []string
	}{
		{"119 wins", []dhcpv4.Modifier{o119, o15}, none, []string{"a.example", "b.example"}},
		{"15 alone", []dhcpv4.Modifier{o15}, none, []string{"c.example"}},
		{"119 ignored", []dhcpv4.Modifier{o119, o15}, no119, []string{"c.example"}},
		{"both ignored", []dhcpv4.Modifier{o119, o15}, all, nil},
		{"none sent", nil, none, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, leaseOf(t, tc.mods...).SearchList(tc.ignored)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// leaseOf is the lease an ACK for 198.18.0.100/24 with mods grants.
func leaseOf(t *testing.T, mods ...dhcpv4.Modifier) *Lease {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{
		dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100)),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 18, 0, 1))),
		dhcpv4.WithOption(dhcpv4.OptSubnetMask(net.CIDRMask(24, 32))),
		dhcpv4.WithOption(dhcpv4.OptIPAddressLeaseTime(3600e9)),
	}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := (&Config{}).Restore(m, m, t0)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
