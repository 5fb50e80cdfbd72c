package config

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestLease: each key of SPEC §6 reaches the lease machine's configuration
// for the interface it is set for, an IFNAME. override winning; the
// client identifier is built from the link's IAID and the host's DUID, or
// the link's DUID-LL without one; the host name is asked only when
// REQUEST_HOSTNAME says so and HOSTNAME is unset.
func TestLease(t *testing.T) {
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 7}
	hostname := func() (string, error) { return "node1", nil }
	for _, tc := range []struct {
		name string
		file string
		link Link
		want lease.Config
	}{
		{"defaults", "", Link{Name: "eth0", HWAddr: hw, MTU: 1500},
			lease.Config{HWAddr: hw, MaxMessageSize: 1472, ARPProbe: true}},
		{"every key", `SELECT_WAIT=3
OFFER_WAIT=2
RAPID_COMMIT=yes
ARP_PROBE=no
APPLY_MTU=yes
VERIFIED_LEASE_ONLY=yes
IPV6_ONLY_PREFERRED=yes
CLASS_ID=rack7
PARAM_REQUEST_LIST=1,3,6
PARAM_IGNORE_LIST=15
CLIENT_ID=mac
HOSTNAME=web1
`, Link{Name: "eth0", HWAddr: hw, MTU: 9000, Hostname: hostname},
			lease.Config{HWAddr: hw, ClientID: append([]byte{1}, hw...), ClassID: "rack7", Hostname: "web1",
				Params:         []dhcpv4.OptionCode{dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter, dhcpv4.OptionDomainNameServer},
				Ignore:         []dhcpv4.OptionCode{dhcpv4.OptionDomainName},
				MaxMessageSize: 8972, SelectWait: 3 * time.Second, OfferWait: 2 * time.Second,
				RapidCommit: true, ApplyMTU: true, VerifiedLeaseOnly: true, IPv6OnlyPreferred: true}},
		{"override for the interface", "ARP_PROBE=no\neth1.ARP_PROBE=yes\neth1.CLASS_ID=x\n",
			Link{Name: "eth1", HWAddr: hw, MTU: 100},
			lease.Config{HWAddr: hw, ClassID: "x", MaxMessageSize: 576, ARPProbe: true}},
		{"duid with the host's", "CLIENT_ID=duid\n", Link{Name: "eth0", HWAddr: hw, IAID: 0x01020304, DUID: []byte{0, 4, 9}},
			lease.Config{HWAddr: hw, ClientID: []byte{255, 1, 2, 3, 4, 0, 4, 9}, MaxMessageSize: 576, ARPProbe: true}},
		{"duid-ll without one", "CLIENT_ID=duid\n", Link{Name: "eth0", HWAddr: hw, IAID: 7},
			lease.Config{HWAddr: hw, ClientID: append([]byte{255, 0, 0, 0, 7, 0, 3, 0, 1}, hw...), MaxMessageSize: 576, ARPProbe: true}},
		{"host name asked for", "REQUEST_HOSTNAME=yes\n", Link{Name: "eth0", HWAddr: hw, Hostname: hostname},
			lease.Config{HWAddr: hw, Hostname: "node1", MaxMessageSize: 576, ARPProbe: true}},
		{"host name not asked for", "", Link{Name: "eth0", HWAddr: hw, Hostname: hostname},
			lease.Config{HWAddr: hw, MaxMessageSize: 576, ARPProbe: true}},
		{"unknown host name", "REQUEST_HOSTNAME=yes\n", Link{Name: "eth0", HWAddr: hw,
			Hostname: func() (string, error) { return "", errors.New("no name") }},
			lease.Config{HWAddr: hw, MaxMessageSize: 576, ARPProbe: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("f.conf", strings.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Lease(tc.link)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(lease.Config{}, "Conflicts"), cmpopts.EquateEmpty(),
				cmp.Comparer(func(a, b dhcpv4.OptionCode) bool { return a.Code() == b.Code() })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
