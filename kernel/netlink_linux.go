package kernel

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// mainTable must be RT_TABLE_MAIN: a constant out of uint's range (either
// difference negative) does not compile.
const _ = uint(mainTable-unix.RT_TABLE_MAIN) + uint(unix.RT_TABLE_MAIN-mainTable)

// Netlink applies AddrConfigs through rtnetlink.
type Netlink struct {
	h *netlink.Handle
}

// Timeout bounds each wait for the kernel's answer to a netlink request:
// the goroutines that make the agent's requests have a deadline, even if
// the kernel never answered one.
const Timeout = 10 * time.Second

// NewNetlink opens a netlink handle in the current network namespace.
func NewNetlink() (*Netlink, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	if err := h.SetSocketTimeout(Timeout); err != nil {
		h.Close()
		return nil, fmt.Errorf("netlink timeout: %w", err)
	}
	return &Netlink{h: h}, nil
}

// Close releases the handle.
func (n *Netlink) Close() { n.h.Close() }

// Apply adds or refreshes the address with its lifetimes, then the routes
// (each refusal a RouteError: the address is on).
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
			errs = append(errs, &RouteError{fmt.Errorf("add route %v via %v: %w", r.Dst, r.Gw, err)})
		}
	}
	if c.table() != mainTable {
		if err := n.h.RuleAdd(nlRule(c)); err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, &RouteError{fmt.Errorf("add rule from %v lookup %d: %w", c.Addr.Addr(), c.table(), err)})
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
	if c.table() != mainTable {
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
