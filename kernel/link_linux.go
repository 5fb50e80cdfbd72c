package kernel

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

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
