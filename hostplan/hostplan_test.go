package hostplan

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/rfc1035label"
)

var (
	began   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	leased  = netip.MustParsePrefix("198.18.0.100/24")
	gw      = netip.MustParseAddr("198.18.0.1")
	defRt   = kernel.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: gw}
	subnet  = kernel.Route{Dst: netip.MustParsePrefix("198.18.0.0/24")}
	eth0    = Link{Name: "eth0", Index: 2}
	primary = Link{Name: "eth0", Index: 2, Primary: true}
	dnsOn   = config.Host{DNS: true}
	cmpOpts = cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmpopts.IgnoreFields(kernel.Plan{}, "Log"), cmpopts.EquateEmpty()}
)

// ack is an ACK of a 120 s lease with mods.
func ack(t *testing.T, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	m, err := dhcpv4.New(mods...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// leaseOf is a 120 s lease of leased begun at began, with a default route
// via gw, granted by ack.
func leaseOf(a *dhcpv4.DHCPv4) *lease.Lease {
	return &lease.Lease{Addr: leased, Began: began, Duration: 120 * time.Second, ACK: a,
		Routes: []lease.Route{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: gw}}}
}

// addr is the address config of leased on eth0 at metric m, with 120 s
// lifetimes and routes rs.
func addr(m int, rs ...kernel.Route) kernel.AddrConfig {
	return kernel.AddrConfig{Ifindex: 2, Addr: leased, Metric: m, Valid: 120 * time.Second,
		Preferred: 120 * time.Second, Routes: rs}
}

// TestOf: what a lease puts on the host, by the link's role and the
// configuration's keys (SPEC §2, §6).
func TestOf(t *testing.T) {
	dnsOpts := []dhcpv4.Modifier{
		dhcpv4.WithOption(dhcpv4.OptDNS(net.IPv4(198, 18, 0, 53), net.IPv4(198, 18, 0, 54))),
		dhcpv4.WithOption(dhcpv4.OptDomainSearch(&rfc1035label.Labels{Labels: []string{"a.example", "b.example"}})),
		dhcpv4.WithOption(dhcpv4.OptDomainName("one.example")),
		dhcpv4.WithOption(dhcpv4.OptHostName("web1")),
	}
	servers := []netip.Addr{netip.MustParseAddr("198.18.0.53"), netip.MustParseAddr("198.18.0.54")}
	for _, tc := range []struct {
		name string
		l    *lease.Lease
		link Link
		h    config.Host
		want kernel.Plan
	}{
		{"another interface: 1000 + ifindex, no host name", leaseOf(ack(t, dnsOpts...)), eth0,
			config.Host{DNS: true, SetHostname: true},
			kernel.Plan{Cfg: addr(1002, defRt),
				DNS: &dns.Link{Name: "eth0", Index: 2, Servers: servers, Domains: []string{"a.example", "b.example"}}}},
		{"the primary: its metric, its DNS first, its host name", leaseOf(ack(t, dnsOpts...)), primary,
			config.Host{DNS: true, SetHostname: true},
			kernel.Plan{Cfg: addr(PrimaryMetric, defRt), Hostname: "web1",
				DNS: &dns.Link{Name: "eth0", Index: 2, Primary: true, Servers: servers, Domains: []string{"a.example", "b.example"}}}},
		{"the primary without SET_HOSTNAME", leaseOf(ack(t, dnsOpts...)), primary, dnsOn,
			kernel.Plan{Cfg: addr(PrimaryMetric, defRt),
				DNS: &dns.Link{Name: "eth0", Index: 2, Primary: true, Servers: servers, Domains: []string{"a.example", "b.example"}}}},
		{"ROUTE_METRIC wins over the primary's", leaseOf(ack(t)), primary,
			config.Host{DNS: true, HasRouteMetric: true, RouteMetric: 7},
			kernel.Plan{Cfg: addr(7, defRt), DNS: &dns.Link{Name: "eth0", Index: 2, Primary: true}}},
		{"ROUTE_METRIC=0", leaseOf(ack(t)), eth0, config.Host{DNS: true, HasRouteMetric: true},
			kernel.Plan{Cfg: addr(0, defRt), DNS: &dns.Link{Name: "eth0", Index: 2}}},
		{"ROUTE_TABLE=auto: 1000 + ifindex, with the subnet", leaseOf(ack(t)), eth0, config.Host{DNS: true, TableAuto: true},
			kernel.Plan{Cfg: func() kernel.AddrConfig { c := addr(1002, subnet, defRt); c.Table = 1002; return c }(),
				DNS: &dns.Link{Name: "eth0", Index: 2}}},
		{"ROUTE_TABLE=50", leaseOf(ack(t)), eth0, config.Host{DNS: true, RouteTable: 50},
			kernel.Plan{Cfg: func() kernel.AddrConfig { c := addr(1002, subnet, defRt); c.Table = 50; return c }(),
				DNS: &dns.Link{Name: "eth0", Index: 2}}},
		{"DNS=no takes the interface's DNS back", leaseOf(ack(t, dnsOpts...)), eth0, config.Host{},
			kernel.Plan{Cfg: addr(1002, defRt)}},
		{"option 6 ignored", leaseOf(ack(t, dnsOpts...)), eth0,
			config.Host{DNS: true, Ignore: []dhcpv4.OptionCode{dhcpv4.OptionDomainNameServer}},
			kernel.Plan{Cfg: addr(1002, defRt), DNS: &dns.Link{Name: "eth0", Index: 2, Domains: []string{"a.example", "b.example"}}}},
		{"option 119 ignored: option 15's domain", leaseOf(ack(t, dnsOpts...)), eth0,
			config.Host{DNS: true, Ignore: []dhcpv4.OptionCode{dhcpv4.OptionDNSDomainSearchList}},
			kernel.Plan{Cfg: addr(1002, defRt), DNS: &dns.Link{Name: "eth0", Index: 2, Servers: servers, Domains: []string{"one.example"}}}},
		{"APPLY_MTU", func() *lease.Lease { l := leaseOf(ack(t)); l.MTU = 1400; return l }(), eth0,
			config.Host{DNS: true, ApplyMTU: true},
			kernel.Plan{Cfg: addr(1002, defRt), DNS: &dns.Link{Name: "eth0", Index: 2}, MTU: 1400}},
		{"an MTU not applied", func() *lease.Lease { l := leaseOf(ack(t)); l.MTU = 1400; return l }(), eth0, dnsOn,
			kernel.Plan{Cfg: addr(1002, defRt), DNS: &dns.Link{Name: "eth0", Index: 2}}},
		{"no option 26 with APPLY_MTU", leaseOf(ack(t)), eth0, config.Host{DNS: true, ApplyMTU: true},
			kernel.Plan{Cfg: addr(1002, defRt), DNS: &dns.Link{Name: "eth0", Index: 2}}},
		{"an infinite lease: no lifetimes", func() *lease.Lease { l := leaseOf(ack(t)); l.Duration, l.Infinite = 0, true; return l }(),
			eth0, dnsOn,
			kernel.Plan{Cfg: kernel.AddrConfig{Ifindex: 2, Addr: leased, Metric: 1002, Routes: []kernel.Route{defRt}},
				DNS: &dns.Link{Name: "eth0", Index: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Of(tc.l, began, tc.link, tc.h)
			if diff := cmp.Diff(tc.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(got.Log) != 3 || got.Again {
				t.Errorf("log fields %v, again %v: want the server, the lease time and whether infinite, and not again",
					got.Log, got.Again)
			}
		})
	}
}

// TestLifetimeNeverForever: a finite lease with no time left is applied
// with a lifetime of 1 s, never 0, which the kernel reads as forever.
func TestLifetimeNeverForever(t *testing.T) {
	l := &lease.Lease{Addr: leased, Began: began, Duration: 5 * time.Second}
	for _, now := range []time.Time{began.Add(5 * time.Second), began.Add(time.Minute)} {
		if c := addrConfig(l, now, eth0, config.Host{}); c.Valid != time.Second || c.Preferred != time.Second {
			t.Errorf("at %v: lifetimes %v/%v, want 1s/1s", now.Sub(began), c.Valid, c.Preferred)
		}
	}
	if c := addrConfig(l, began.Add(2*time.Second), eth0, config.Host{}); c.Valid != 3*time.Second {
		t.Errorf("lifetime %v with 3 s left", c.Valid)
	}
}
