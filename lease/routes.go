package lease

import (
	"fmt"
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// badDestinations are the blocks no route from a server may point into
// (SPEC §2): "this network" 0/8 (RFC 1122 §3.2.1.3; the default route 0/0
// covers it without lying in it), loopback 127/8, multicast 224/4 (RFC
// 5771), class E 240/4 (RFC 1112 §4) and the limited broadcast address.
var badDestinations = []struct {
	block netip.Prefix
	why   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "in 0.0.0.0/8"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), "the limited broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "class E"},
}

// destinationProblem says why a route to dst must not be installed, or "".
// A destination lies in a bad block when the block holds all of it: the
// default route and 0.0.0.0/1 or 128.0.0.0/1 (which hold a bad block but
// much else too) are fine.
func destinationProblem(dst netip.Prefix) string {
	if dst.Bits() == 0 {
		return ""
	}
	for _, b := range badDestinations {
		if dst.Bits() >= b.block.Bits() && b.block.Contains(dst.Addr()) {
			return "destination " + dst.String() + " is " + b.why
		}
	}
	return ""
}

// gatewayProblem says why gw cannot be the router of a route the lease of
// own installs, or "": it must be a usable unicast address (not 0/8,
// loopback, multicast, class E or broadcast), not the leased address itself
// (traffic "via" ourselves goes nowhere and hides the real router), and,
// inside our subnet, neither its network nor its broadcast address.
func gatewayProblem(gw netip.Addr, own netip.Prefix) string {
	switch {
	case !usable(gw) || gw.As4()[0] >= 240:
		return "gateway " + gw.String() + " is not a unicast address"
	case gw == own.Addr():
		return "gateway " + gw.String() + " is our own address"
	case own.Bits() < 31 && own.Contains(gw) && (gw == own.Masked().Addr() || gw == broadcastOf(own)):
		return "gateway " + gw.String() + " is the subnet's network or broadcast address"
	}
	return ""
}

// broadcastOf is the directed broadcast address of p's subnet.
func broadcastOf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	for i := p.Bits(); i < 32; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(b)
}

// problem is something of a reply the lease leaves out, with its reason.
type problem struct {
	reason Reason
	detail string
}

// gateway says why gw cannot be the router of a route of a lease of own:
// gatewayProblem's rules (ReasonBadRoute), then whether the host already
// has gw on one of its interfaces (ReasonHostGateway): a route "via" a
// local address goes nowhere, and the kernel refuses it ("Nexthop has
// invalid gateway") only once the lease is half installed. ok is true
// when gw may be used.
func (c *Config) gateway(gw netip.Addr, own netip.Prefix) (Reason, string, bool) {
	if why := gatewayProblem(gw, own); why != "" {
		return ReasonBadRoute, why, false
	}
	if c.HostAddress != nil && c.HostAddress(gw) {
		return ReasonHostGateway, "gateway " + gw.String() + " is an address of this host", false
	}
	return 0, "", true
}

// routers returns option 3's routers that are usable for a lease of own,
// in the server's order, and a problem for each one left out.
func (c *Config) routers(ack *dhcpv4.DHCPv4, own netip.Prefix) (out []netip.Addr, probs []problem) {
	if c.ignores(dhcpv4.OptionRouter) {
		return nil, nil
	}
	for _, r := range ack.Router() {
		a, ok := addr4(r)
		if !ok {
			probs = append(probs, problem{ReasonBadRoute, "option 3: router is not an IPv4 address"})
			continue
		}
		if reason, why, ok := c.gateway(a, own); !ok {
			probs = append(probs, problem{reason, "option 3: " + why})
			continue
		}
		out = append(out, a)
	}
	return out, probs
}

// routes returns the routes a lease of own installs: option 121's when it
// is present (RFC 3442 §2: a client that receives 121 MUST ignore option
// 3), else a default route through the first router. A route with a bad
// destination or gateway is left out and the others kept (SPEC §2). When
// 121 is malformed, or none of its routes is usable, the lease falls back
// to option 3 as if 121 were absent: a broken or hostile 121 never leaves
// the host without the default route the server also offered.
func (c *Config) routes(ack *dhcpv4.DHCPv4, own netip.Prefix, routers []netip.Addr) (out []Route, probs []problem) {
	if raw := ack.Options.Get(dhcpv4.OptionClasslessStaticRoute); len(raw) > 0 && !c.ignores(dhcpv4.OptionClasslessStaticRoute) {
		var parsed dhcpv4.Routes
		if err := parsed.FromBytes(raw); err != nil {
			probs = append(probs, problem{ReasonBadRoutes, fmt.Sprintf("option 121 malformed (%v): option 3 used instead", err)})
		} else {
			for _, r := range parsed {
				rt, p := c.classless(r, own)
				if p.detail != "" {
					probs = append(probs, problem{p.reason, "option 121: " + p.detail})
					continue
				}
				out = append(out, rt)
			}
			if len(out) > 0 {
				return out, probs
			}
			probs = append(probs, problem{ReasonBadRoutes, "option 121 has no usable route: option 3 used instead"})
		}
	}
	if len(routers) == 0 {
		return nil, probs
	}
	return []Route{{Dst: netip.PrefixFrom(netip.IPv4Unspecified(), 0), Gw: routers[0]}}, probs
}

// classless converts one RFC 3442 route, or says why it is unusable (a
// problem with a detail).
func (c *Config) classless(r *dhcpv4.Route, own netip.Prefix) (Route, problem) {
	bad := func(why string) (Route, problem) { return Route{}, problem{ReasonBadRoute, why} }
	dst, ok := prefix4(r.Dest)
	if !ok {
		return bad("destination is not an IPv4 prefix")
	}
	if why := destinationProblem(dst); why != "" {
		return bad(why)
	}
	gw, ok := addr4(r.Router)
	if !ok {
		return bad("gateway is not an IPv4 address")
	}
	if gw.IsUnspecified() {
		// RFC 3442 §2: router 0.0.0.0 means the destination is on-link.
		return Route{Dst: dst}, problem{}
	}
	if reason, why, ok := c.gateway(gw, own); !ok {
		return Route{}, problem{reason, fmt.Sprintf("route to %v: %s", dst, why)}
	}
	return Route{Dst: dst, Gw: gw}, problem{}
}
