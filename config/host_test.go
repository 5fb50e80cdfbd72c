package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestHost: each key of what a lease puts on the host reaches the
// interface it is set for, an IFNAME. override winning.
func TestHost(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		want Host
	}{
		{"defaults", "", Host{DNS: true}},
		{"every key", `ROUTE_METRIC=7
ROUTE_TABLE=50
DNS=file
PARAM_IGNORE_LIST=6,15
SET_HOSTNAME=yes
APPLY_MTU=yes
`, Host{RouteMetric: 7, HasRouteMetric: true, RouteTable: 50, DNS: true,
			Ignore:      []dhcpv4.OptionCode{dhcpv4.OptionDomainNameServer, dhcpv4.OptionDomainName},
			SetHostname: true, ApplyMTU: true}},
		{"metric 0 is a metric", "ROUTE_METRIC=0\n", Host{HasRouteMetric: true, DNS: true}},
		{"table auto", "ROUTE_TABLE=auto\n", Host{TableAuto: true, DNS: true}},
		{"table no", "ROUTE_TABLE=no\n", Host{DNS: true}},
		{"override for the interface", "ROUTE_TABLE=auto\neth0.ROUTE_TABLE=no\neth0.DNS=no\neth1.ROUTE_METRIC=9\n",
			Host{}},
		{"another interface's override", "eth1.DNS=no\neth1.ROUTE_METRIC=9\neth1.APPLY_MTU=yes\n", Host{DNS: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("test.conf", strings.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.Host("eth0"),
				cmp.Comparer(func(a, b dhcpv4.OptionCode) bool { return a.Code() == b.Code() })); diff != "" {
				t.Errorf("Host(eth0) (-want +got):\n%s", diff)
			}
		})
	}
}
