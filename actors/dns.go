package actors

import (
	"net/netip"
	"slices"

	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Resolver receives the DNS each interface holds (dns.Manager); it never
// blocks. The interface's kernel worker tells it.
type Resolver = kernel.Resolver

// dnsOf is the DNS lease l gives the interface: option 6's servers and the
// search list of option 119 (RFC 3397), else option 15's domain, less the
// options PARAM_IGNORE_LIST names. dns.Manager sanitizes it.
func (a *iface) dnsOf(l *lease.Lease) dns.Link {
	ignore := a.env.Cfg().Options(a.link.Name, "PARAM_IGNORE_LIST")
	ignored := func(c dhcpv4.OptionCode) bool {
		return slices.ContainsFunc(ignore, func(o dhcpv4.OptionCode) bool { return o.Code() == c.Code() })
	}
	d := dns.Link{Name: a.link.Name, Index: a.link.Index, Primary: a.inc.primary}
	if !ignored(dhcpv4.OptionDomainNameServer) {
		for _, ip := range l.ACK.DNS() {
			if addr, ok := netip.AddrFromSlice(ip.To4()); ok {
				d.Servers = append(d.Servers, addr)
			}
		}
	}
	d.Domains = l.SearchList(ignored)
	return d
}

// planDNS is what the resolver is to be told of lease l: nil (take the
// interface's DNS back) when DNS=no for the interface.
func (a *iface) planDNS(l *lease.Lease) *dns.Link {
	if a.env.Cfg().Get(a.link.Name, "DNS") == "no" {
		return nil
	}
	d := a.dnsOf(l)
	return &d
}
