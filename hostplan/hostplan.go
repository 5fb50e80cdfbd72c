// Package hostplan decides what a lease puts on the host (SPEC §2): the
// kernel.Plan that an interface's kernel worker carries out. The address
// with both lifetimes, the routes at the interface's own metric and in its
// table, the DNS the resolver is told, the host name and the MTU are a
// pure function of the lease, the time, the link, whether it is the
// primary interface, and what the configuration says of that interface
// (config.Host); the interface actor only hands the plan on.
package hostplan

import (
	"net/netip"
	"slices"
	"time"

	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// Route metrics and tables (SPEC §2 "Several interfaces on one host").
const (
	// PrimaryMetric is the metric of the primary interface's routes when
	// ROUTE_METRIC does not set one: below every 1000 + ifindex, so its
	// default route is the one the kernel prefers.
	PrimaryMetric = 100
	// metricBase + ifindex is every other interface's metric: distinct per
	// interface, so that no interface's route takes another's place.
	metricBase = 1000
	// tableBase + ifindex is the table of ROUTE_TABLE=auto.
	tableBase = 1000
)

// Link is the interface a lease is for.
type Link struct {
	Name  string
	Index int
	// Primary is set for the primary interface (start --primary): its
	// routes are preferred, its DNS goes first, its host name is the
	// host's.
	Primary bool
}

// Of is what lease l puts on link at now, as the configuration h of the
// link says: address and routes, DNS (nil for DNS=no: the interface's DNS
// is taken back), host name and MTU. The caller sets Again for a
// reapplication.
func Of(l *lease.Lease, now time.Time, link Link, h config.Host) kernel.Plan {
	p := kernel.Plan{Cfg: addrConfig(l, now, link, h), DNS: planDNS(l, link, h),
		Hostname: planHostname(l.ACK.HostName(), link, h),
		Log: []zap.Field{zap.Stringer("server", l.Server), zap.Duration("lease", l.Duration),
			zap.Bool("infinite", l.Infinite)}}
	if l.MTU > 0 && h.ApplyMTU {
		p.MTU = l.MTU
	}
	return p
}

// routeMetric is the metric of the interface's routes: ROUTE_METRIC when
// the configuration sets one for it, else PrimaryMetric for the primary
// interface and 1000 + ifindex for the others.
func routeMetric(link Link, h config.Host) int {
	switch {
	case h.HasRouteMetric:
		return h.RouteMetric
	case link.Primary:
		return PrimaryMetric
	}
	return metricBase + link.Index
}

// routeTable is the table of the interface's routes: 0 (main) unless
// ROUTE_TABLE names one, auto being 1000 + ifindex.
func routeTable(link Link, h config.Host) int {
	if h.TableAuto {
		return tableBase + link.Index
	}
	return h.RouteTable
}

// addrConfig is what lease l puts on the interface now.
func addrConfig(l *lease.Lease, now time.Time, link Link, h config.Host) kernel.AddrConfig {
	c := kernel.AddrConfig{Ifindex: link.Index, Addr: l.Addr, Metric: routeMetric(link, h), Table: routeTable(link, h)}
	if !l.Infinite {
		// Never zero, which the kernel reads as forever (SPEC §2: no lease
		// becomes an address without a lifetime unless it is infinite); a
		// lease with no time left is removed by its expiry at once anyway.
		c.Valid = max(l.Remaining(now), time.Second)
		c.Preferred = c.Valid
	}
	if c.Table != 0 {
		// The table of its own needs the subnet too: what leaves from the
		// leased address to a neighbour must not go through the router.
		c.Routes = append(c.Routes, kernel.Route{Dst: l.Addr.Masked()})
	}
	for _, r := range l.Routes {
		c.Routes = append(c.Routes, kernel.Route{Dst: r.Dst, Gw: r.Gw})
	}
	return c
}

// planDNS is what the resolver is to be told of lease l: nil (take the
// interface's DNS back) when DNS=no for the interface; else option 6's
// servers and the search list of option 119 (RFC 3397), else option 15's
// domain, less the options PARAM_IGNORE_LIST names. dns.Manager
// sanitizes it.
func planDNS(l *lease.Lease, link Link, h config.Host) *dns.Link {
	if !h.DNS {
		return nil
	}
	ignored := func(c dhcpv4.OptionCode) bool {
		return slices.ContainsFunc(h.Ignore, func(o dhcpv4.OptionCode) bool { return o.Code() == c.Code() })
	}
	d := dns.Link{Name: link.Name, Index: link.Index, Primary: link.Primary}
	if !ignored(dhcpv4.OptionDomainNameServer) {
		for _, ip := range l.ACK.DNS() {
			if addr, ok := netip.AddrFromSlice(ip.To4()); ok {
				d.Servers = append(d.Servers, addr)
			}
		}
	}
	d.Domains = l.SearchList(ignored)
	return &d
}

// planHostname is the host name the interface is to hold: option 12 of
// the primary interface's lease when SET_HOSTNAME=yes (SPEC §2); "" for
// any other interface, or a primary whose lease names no host, which
// gives a name it had set back.
func planHostname(name string, link Link, h config.Host) string {
	if !link.Primary || !h.SetHostname {
		return ""
	}
	return name
}
