package hook

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/safetext"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// hostileACK is an ACK whose text options carry what a rogue server would
// plant in a hook's environment.
func hostileACK(t testing.TB, domain string, search []byte) []byte {
	m, err := dhcpv4.New(
		dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100)),
		dhcpv4.WithServerIP(net.IPv4(198, 18, 0, 1)),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 18, 0, 1))),
		dhcpv4.WithOption(dhcpv4.OptSubnetMask(net.CIDRMask(24, 32))),
		dhcpv4.WithOption(dhcpv4.OptIPAddressLeaseTime(time.Hour)),
		dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 1))),
		dhcpv4.WithOption(dhcpv4.OptDNS(net.IPv4(198, 18, 0, 53))),
		dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionDomainName, []byte(domain))),
		dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionDNSDomainSearchList, search)),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m.ToBytes()
}

// hookVars is every variable LeaseEnv sets for a lease (SPEC §5).
var hookVars = []string{"DHCP_IFNAME", "DHCP_EVENT", "DHCP_ADDRESS", "DHCP_PREFIX", "DHCP_ROUTERS",
	"DHCP_DNS", "DHCP_DOMAIN", "DHCP_SEARCH", "DHCP_LEASE_TIME", "DHCP_SERVER"}

// FuzzLeaseEnv: whatever a server sends, each option value reaches the
// hook as one variable of the set SPEC §5 names, printable and capped: no
// NUL (exec would refuse to run the hook), no newline, no escape sequence.
func FuzzLeaseEnv(f *testing.F) {
	f.Add(hostileACK(f, "example.com", []byte{7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}))
	f.Add(hostileACK(f, "evil\x00.com", nil))
	f.Add(hostileACK(f, "x\nDHCP_ROUTERS=6.6.6.6", nil))
	f.Add(hostileACK(f, "\x1b]0;owned\x07\x1b[2J\u009b", []byte{3, 'a', '\n', 'b', 0}))
	f.Add(hostileACK(f, strings.Repeat("\x00", 255), nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		ack, err := dhcpv4.FromBytes(b)
		if err != nil {
			return
		}
		l, err := (&lease.Config{}).Restore(ack, ack, time.Unix(0, 0))
		if err != nil {
			return
		}
		env := Env(LeaseEnv("eth0", lease.EventName("BOUND"), l))
		if len(env) != len(hookVars) {
			t.Fatalf("hook env %q: want the %d variables %v", env, len(hookVars), hookVars)
		}
		for i, v := range env {
			name, value, _ := strings.Cut(v, "=")
			if name != hookVars[i] {
				t.Fatalf("variable %d is %q, want %s", i, name, hookVars[i])
			}
			if !safetext.Safe(strings.ReplaceAll(value, `\`, "")) || len(value) > MaxValue {
				t.Fatalf("%s=%q: not printable text of at most %d bytes", name, value, MaxValue)
			}
		}
	})
}

// TestLeaseEnvHostileDomain: the seeds above do become leases, and the
// hook sees their text escaped with the routers as the server gave them.
func TestLeaseEnvHostileDomain(t *testing.T) {
	ack, err := dhcpv4.FromBytes(hostileACK(t, "x\nDHCP_ROUTERS=6.6.6.6\x00", []byte{3, 'a', '\x1b', 'b', 0}))
	if err != nil {
		t.Fatal(err)
	}
	l, err := (&lease.Config{}).Restore(ack, ack, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Join(Env(LeaseEnv("eth0", "BOUND", l)), "\n")
	for _, want := range []string{`DHCP_DOMAIN=x\x0aDHCP_ROUTERS=6.6.6.6\x00`, "DHCP_ROUTERS=198.18.0.1\n", "DHCP_SEARCH=\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("hook env\n%s\nwant %q", env, want)
		}
	}
}
