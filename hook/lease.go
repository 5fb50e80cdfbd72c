package hook

import (
	"fmt"
	"strings"
	"time"

	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// LeaseEnv describes event e of ifname, with the lease l (nil when none),
// to the hook (SPEC §5): DHCP_IFNAME and DHCP_EVENT always; with a lease
// its address, prefix length, default gateways (as the kernel gets them),
// name servers, domain, search list (names a resolver would take), lease
// time in seconds or "infinite", and server. The values come from the
// network: Start makes them safe (Env).
func LeaseEnv(ifname string, e lease.EventName, l *lease.Lease) []string {
	env := []string{"DHCP_IFNAME=" + ifname, "DHCP_EVENT=" + string(e)}
	if l == nil {
		return env
	}
	join := func(ips []string) string { return strings.Join(ips, " ") }
	var gws []string
	for _, r := range l.DefaultGateways() {
		gws = append(gws, r.String())
	}
	var servers []string
	for _, ip := range l.ACK.DNS() {
		servers = append(servers, ip.String())
	}
	secs := "infinite"
	if !l.Infinite {
		secs = fmt.Sprint(int64(l.Duration / time.Second))
	}
	return append(env,
		"DHCP_ADDRESS="+l.Addr.Addr().String(),
		fmt.Sprintf("DHCP_PREFIX=%d", l.Addr.Bits()),
		"DHCP_ROUTERS="+join(gws),
		"DHCP_DNS="+join(servers),
		"DHCP_DOMAIN="+l.ACK.DomainName(),
		"DHCP_SEARCH="+join(search(l)),
		"DHCP_LEASE_TIME="+secs,
		"DHCP_SERVER="+l.Server.String(),
	)
}

// search is the lease's search list (option 119, else 15) as the resolver
// gets it: well-formed names only, lower case, without the final dot, at
// most dns.MaxDomains.
func search(l *lease.Lease) []string {
	var out []string
	for _, d := range l.SearchList(func(dhcpv4.OptionCode) bool { return false }) {
		if d = strings.ToLower(strings.TrimSuffix(d, ".")); dns.ValidDomain(d) && len(out) < dns.MaxDomains {
			out = append(out, d)
		}
	}
	return out
}
