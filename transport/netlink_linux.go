package transport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// AddrConfig is what a lease puts on an interface. The owner keeps the value
// it applied and hands the same value to Remove, so exactly that is taken
// away and nothing an operator added.
type AddrConfig struct {
	Ifindex int
	Addr    netip.Prefix
	// Valid and Preferred are the address lifetimes; zero means forever.
	// The kernel then removes an address whose lease we failed to extend
	// even if the agent is gone.
	Valid, Preferred time.Duration
	Routes           []Route
	// Metric is the routes' priority: each interface has its own, so that
	// two DHCP interfaces keep two default routes (SPEC §2).
	Metric int
	// Table is the routing table of the routes, 0 for main. Another table
	// comes with a rule "from Addr lookup Table" (ROUTE_TABLE, SPEC §2).
	Table int
}

// RulePriority is the priority of the "from ADDRESS lookup TABLE" rules:
// after the local table's rule (0), before main's (32766).
const RulePriority = 30000

// table returns the kernel table number of c's routes.
func (c AddrConfig) table() int {
	if c.Table == 0 {
		return unix.RT_TABLE_MAIN
	}
	return c.Table
}

// Vanished returns what old installed and next does not: the routes (by
// destination, gateway, metric and table) and whether old's rule goes. A
// renewal then leaves exactly the routes its ACK names (SPEC §2).
func Vanished(old, next AddrConfig) (routes []Route, rule bool) {
	sameKey := old.Metric == next.Metric && old.table() == next.table() && old.Addr == next.Addr
	for _, r := range old.Routes {
		if !sameKey || !slices.Contains(next.Routes, r) {
			routes = append(routes, r)
		}
	}
	rule = old.table() != unix.RT_TABLE_MAIN && (old.table() != next.table() || old.Addr.Addr() != next.Addr.Addr())
	return routes, rule
}

// Route is a route through a gateway; an invalid Gw means on-link.
type Route struct {
	Dst netip.Prefix
	Gw  netip.Addr
}

// Netlink applies AddrConfigs through rtnetlink.
type Netlink struct {
	h *netlink.Handle
}

// NewNetlink opens a netlink handle in the current network namespace.
func NewNetlink() (*Netlink, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	return &Netlink{h: h}, nil
}

// Close releases the handle.
func (n *Netlink) Close() { n.h.Close() }

// Apply adds or refreshes the address with its lifetimes, then the routes.
func (n *Netlink) Apply(c AddrConfig) error {
	link, err := n.h.LinkByIndex(c.Ifindex)
	if err != nil {
		return fmt.Errorf("link %d: %w", c.Ifindex, err)
	}
	if err := n.h.AddrReplace(link, nlAddr(c)); err != nil {
		return fmt.Errorf("add address %v: %w", c.Addr, err)
	}
	var errs []error
	for _, r := range c.Routes {
		// Append, never replace: a replace takes over any route with the
		// same destination and metric, which may be another interface's
		// (SPEC §2: two DHCP interfaces keep two default routes). The
		// route being there already is what we want.
		if err := n.h.RouteAppend(nlRoute(c, r)); err != nil && !errors.Is(err, unix.EEXIST) {
			// One route the kernel refuses never stops the others.
			errs = append(errs, fmt.Errorf("add route %v via %v: %w", r.Dst, r.Gw, err))
		}
	}
	if c.table() != unix.RT_TABLE_MAIN {
		if err := n.h.RuleAdd(nlRule(c)); err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("add rule from %v lookup %d: %w", c.Addr.Addr(), c.table(), err))
		}
	}
	return errors.Join(errs...)
}

// Withdraw removes what old put on the interface and next does not have:
// vanished routes and a rule that changed. The address stays: next has it.
func (n *Netlink) Withdraw(old, next AddrConfig) error {
	routes, rule := Vanished(old, next)
	var errs []error
	for _, r := range routes {
		if err := n.h.RouteDel(nlRoute(old, r)); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("delete route %v via %v: %w", r.Dst, r.Gw, err))
		}
	}
	if rule {
		if err := n.h.RuleDel(nlRule(old)); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("delete rule from %v lookup %d: %w", old.Addr.Addr(), old.table(), err))
		}
	}
	return errors.Join(errs...)
}

// nlRule is c's policy rule: what leaves from the leased address looks up
// the interface's own table, so replies go out by the interface their
// request came in on.
func nlRule(c AddrConfig) *netlink.Rule {
	r := netlink.NewRule()
	r.Family = unix.AF_INET
	r.Src = ipnet(netip.PrefixFrom(c.Addr.Addr(), 32))
	r.Table = c.table()
	r.Priority = RulePriority
	return r
}

// Remove deletes the routes and then the address of c. What is already gone
// is not an error: the kernel drops an expired address, and its routes with it.
func (n *Netlink) Remove(c AddrConfig) error {
	var errs []error
	for _, r := range c.Routes {
		if err := n.h.RouteDel(nlRoute(c, r)); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("delete route %v via %v: %w", r.Dst, r.Gw, err))
		}
	}
	if c.table() != unix.RT_TABLE_MAIN {
		if err := n.h.RuleDel(nlRule(c)); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("delete rule from %v lookup %d: %w", c.Addr.Addr(), c.table(), err))
		}
	}
	link, err := n.h.LinkByIndex(c.Ifindex)
	if err != nil {
		if gone(err) {
			return errors.Join(errs...)
		}
		return errors.Join(append(errs, fmt.Errorf("link %d: %w", c.Ifindex, err))...)
	}
	if err := n.h.AddrDel(link, nlAddr(c)); err != nil && !gone(err) {
		errs = append(errs, fmt.Errorf("delete address %v: %w", c.Addr, err))
	}
	return errors.Join(errs...)
}

func nlAddr(c AddrConfig) *netlink.Addr {
	a := &netlink.Addr{IPNet: ipnet(c.Addr)}
	if c.Valid > 0 {
		a.ValidLft = seconds(c.Valid)
		a.PreferedLft = seconds(c.Preferred)
	}
	if c.Addr.Addr().Is4() && c.Addr.Bits() < 31 {
		a.Broadcast = broadcast(c.Addr)
	}
	return a
}

// nlRoute marks our routes with RTPROT_DHCP, as dhcpcd and networkd do, so an
// operator can tell them apart.
func nlRoute(c AddrConfig, r Route) *netlink.Route {
	nr := &netlink.Route{
		LinkIndex: c.Ifindex,
		Dst:       ipnet(r.Dst),
		Src:       net.IP(c.Addr.Addr().AsSlice()),
		Protocol:  unix.RTPROT_DHCP,
		Priority:  c.Metric,
		Table:     c.table(),
		Scope:     netlink.SCOPE_UNIVERSE,
	}
	if r.Gw.IsValid() {
		nr.Gw = net.IP(r.Gw.AsSlice())
		if !c.Addr.Masked().Contains(r.Gw) {
			nr.Flags = int(netlink.FLAG_ONLINK) // a router outside the subnet (RFC 3442 §3)
		}
	} else {
		nr.Scope = netlink.SCOPE_LINK
	}
	return nr
}

func ipnet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func broadcast(p netip.Prefix) net.IP {
	a := p.Addr().As4()
	m := net.CIDRMask(p.Bits(), 32)
	for i := range a {
		a[i] |= ^m[i]
	}
	return net.IP(a[:])
}

// seconds rounds a lifetime up, so a lease with time left is never given 0
// (which the kernel would read as "no lifetime").
func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

func gone(err error) bool {
	var lnf netlink.LinkNotFoundError
	return errors.Is(err, unix.ESRCH) || errors.Is(err, unix.EADDRNOTAVAIL) || errors.Is(err, unix.ENOENT) ||
		errors.Is(err, unix.ENODEV) || errors.As(err, &lnf)
}

// IfAddr is an IPv4 address of an interface.
type IfAddr struct {
	Ifindex int
	Prefix  netip.Prefix
}

// Addrs lists the IPv4 addresses of every interface.
func (n *Netlink) Addrs() ([]IfAddr, error) {
	list, err := n.h.AddrList(nil, unix.AF_INET)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	out := make([]IfAddr, 0, len(list))
	for _, a := range list {
		ip, ok := netip.AddrFromSlice(a.IP.To4())
		if !ok {
			continue
		}
		ones, _ := a.Mask.Size()
		out = append(out, IfAddr{Ifindex: a.LinkIndex, Prefix: netip.PrefixFrom(ip, ones)})
	}
	return out, nil
}

// MTU returns the link's MTU.
func (n *Netlink) MTU(ifindex int) (int, error) {
	link, err := n.h.LinkByIndex(ifindex)
	if err != nil {
		return 0, fmt.Errorf("link %d: %w", ifindex, err)
	}
	return link.Attrs().MTU, nil
}

// SetMTU sets the link's MTU.
func (n *Netlink) SetMTU(ifindex, mtu int) error {
	link, err := n.h.LinkByIndex(ifindex)
	if err != nil {
		return fmt.Errorf("link %d: %w", ifindex, err)
	}
	if err := n.h.LinkSetMTU(link, mtu); err != nil {
		return fmt.Errorf("set MTU %d on %s: %w", mtu, link.Attrs().Name, err)
	}
	return nil
}

// LinkState is what show-if needs to know of a link.
type LinkState struct {
	Index                                       int
	Up, Carrier                                 bool // IFF_UP, IFF_LOWER_UP
	Broadcast, Multicast, PointToPoint, Virtual bool
	Loopback                                    bool // IFF_LOOPBACK
}

// ErrNoLink is wrapped when a link does not exist.
var ErrNoLink = errors.New("no such link")

// State reads the link called name.
func (n *Netlink) State(name string) (LinkState, error) {
	link, err := n.h.LinkByName(name)
	if err != nil {
		var lnf netlink.LinkNotFoundError
		if errors.As(err, &lnf) || errors.Is(err, unix.ENODEV) {
			return LinkState{}, fmt.Errorf("%w: %s", ErrNoLink, name)
		}
		return LinkState{}, fmt.Errorf("link %s: %w", name, err)
	}
	a := link.Attrs()
	f := a.RawFlags
	return LinkState{
		Index:        a.Index,
		Up:           f&unix.IFF_UP != 0,
		Carrier:      f&unix.IFF_LOWER_UP != 0,
		Broadcast:    f&unix.IFF_BROADCAST != 0,
		Multicast:    f&unix.IFF_MULTICAST != 0,
		PointToPoint: f&unix.IFF_POINTOPOINT != 0,
		Loopback:     f&unix.IFF_LOOPBACK != 0,
		// Software links (veth, bridge, vlan, ...) have a type of their
		// own; a NIC is a plain "device".
		Virtual: link.Type() != "device",
	}, nil
}

// SetUp sets the link administratively up or down.
func (n *Netlink) SetUp(index int, up bool) error {
	link, err := n.h.LinkByIndex(index)
	if err != nil {
		return fmt.Errorf("link %d: %w", index, err)
	}
	if up {
		err = n.h.LinkSetUp(link)
	} else {
		err = n.h.LinkSetDown(link)
	}
	if err != nil {
		return fmt.Errorf("set %s up=%v: %w", link.Attrs().Name, up, err)
	}
	return nil
}

// SetIPv6 enables or disables IPv6 on a link through
// net.ipv6.conf.NAME.disable_ipv6, as the SPEC's create-if -f v6 does.
// Enabling it also turns router advertisements and SLAAC off (accept_ra,
// autoconf): illumos plumbs IPv6 without autoconfiguration, and addresses
// on the link come only from address objects.
func (n *Netlink) SetIPv6(name string, on bool) error {
	dir := "/proc/sys/net/ipv6/conf/" + name + "/"
	writes := [][2]string{{"disable_ipv6", "1\n"}}
	if on {
		// Before enabling, so that no advertisement is acted on meanwhile.
		writes = [][2]string{{"accept_ra", "0\n"}, {"autoconf", "0\n"}, {"disable_ipv6", "0\n"}}
	}
	for _, w := range writes {
		if err := os.WriteFile(dir+w[0], []byte(w[1]), 0o644); err != nil {
			return fmt.Errorf("IPv6 on %s: %w", name, err)
		}
	}
	return nil
}

// AddrFlags reports whether p is on the link, and whether it is still
// tentative (duplicate address detection running) or failed it.
func (n *Netlink) AddrFlags(index int, p netip.Prefix) (present, tentative, duplicate bool) {
	link, err := n.h.LinkByIndex(index)
	if err != nil {
		return false, false, false
	}
	family := unix.AF_INET
	if p.Addr().Is6() {
		family = unix.AF_INET6
	}
	addrs, err := n.h.AddrList(link, family)
	if err != nil {
		return false, false, false
	}
	for _, a := range addrs {
		ip, _ := netip.AddrFromSlice(a.IP)
		ones, _ := a.Mask.Size()
		if ip.Unmap() == p.Addr() && ones == p.Bits() {
			return true, a.Flags&unix.IFA_F_TENTATIVE != 0, a.Flags&unix.IFA_F_DADFAILED != 0
		}
	}
	return false, false, false
}

// Link looks one link up by name with a single RTM_GETLINK, not a dump of
// every link (which net.InterfaceByName does: quadratic over a thousand
// interfaces).
func (n *Netlink) Link(name string) (index int, hw net.HardwareAddr, mtu int, err error) {
	link, err := n.h.LinkByName(name)
	if err != nil {
		var lnf netlink.LinkNotFoundError
		if errors.As(err, &lnf) || errors.Is(err, unix.ENODEV) {
			return 0, nil, 0, fmt.Errorf("%w: %s", ErrNoLink, name)
		}
		return 0, nil, 0, fmt.Errorf("link %s: %w", name, err)
	}
	a := link.Attrs()
	return a.Index, a.HardwareAddr, a.MTU, nil
}
