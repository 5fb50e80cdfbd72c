package lease

import (
	"net/netip"
	"slices"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// DefaultGateways are the gateways of the default routes the lease
// installs, in order: what the hook is told as DHCP_ROUTERS, so that it
// matches the kernel (option 121 wins over option 3, RFC 3442 §2).
func (l *Lease) DefaultGateways() []netip.Addr {
	var out []netip.Addr
	for _, r := range l.Routes {
		if r.Dst.Bits() == 0 && r.Gw.IsValid() {
			out = append(out, r.Gw)
		}
	}
	return out
}

// SearchList is the lease's domain search list: option 119's domains (RFC
// 3397), else option 15's domain, leaving out the options ignored says
// (PARAM_IGNORE_LIST). The names are as the server sent them: whoever
// hands them on checks them.
func (l *Lease) SearchList(ignored func(dhcpv4.OptionCode) bool) []string {
	if !ignored(dhcpv4.OptionDNSDomainSearchList) {
		if s := l.ACK.DomainSearch(); s != nil && len(s.Labels) > 0 {
			return slices.Clone(s.Labels)
		}
	}
	if !ignored(dhcpv4.OptionDomainName) {
		if d := l.ACK.DomainName(); d != "" {
			return []string{d}
		}
	}
	return nil
}
