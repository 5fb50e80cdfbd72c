//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// A lab with several client NICs (SPEC §2 "Several interfaces on one
// host"). LabOptions.Subnets adds NICs on subnets of their own, each with a
// veth pair to the server namespace; LabOptions.SharedNICs adds NICs on the
// lab's one subnet: ServerIface is then a bridge whose ports are the server
// ends of every pair, so the server sees them all on one segment.

// NIC is one client interface of a lab and what the server offers it.
type NIC struct {
	Name   string       // in the client namespace
	Peer   string       // its veth peer in the server namespace
	Subnet netip.Prefix // the subnet the server offers on it
	Router netip.Addr   // the server's address there, sent as option 3
	// DNS and Search are sent as options 6 and 119 on a subnet of its own
	// (198.18.<k>.53 and n<k>.lab.example).
	DNS    netip.Addr
	Search string
}

// SubnetNIC returns the k-th NIC on a subnet of its own (k from 1):
// eth-cli<k> on 198.18.<k>.0/24, the server being 198.18.<k>.1.
func SubnetNIC(k int) NIC {
	return NIC{Name: "eth-cli" + strconv.Itoa(k), Peer: "eth-srv" + strconv.Itoa(k),
		Subnet: netip.MustParsePrefix(fmt.Sprintf("198.18.%d.0/24", k)),
		Router: netip.MustParseAddr(fmt.Sprintf("198.18.%d.1", k)),
		DNS:    netip.MustParseAddr(fmt.Sprintf("198.18.%d.53", k)), Search: fmt.Sprintf("n%d.lab.example", k)}
}

// SharedNIC returns the k-th extra NIC on the lab's own subnet (k from 1).
func SharedNIC(k int) NIC {
	return NIC{Name: "eth-sh" + strconv.Itoa(k), Peer: "eth-srvp" + strconv.Itoa(k),
		Subnet: labSubnet, Router: netip.MustParseAddr(router)}
}

// NICs returns the lab's extra client NICs, in order.
func (o LabOptions) NICs() []NIC {
	var out []NIC
	for k := 1; k <= o.Subnets; k++ {
		out = append(out, SubnetNIC(k))
	}
	for k := 1; k <= o.SharedNICs; k++ {
		out = append(out, SharedNIC(k))
	}
	return out
}

// linkCommands are the `ip` commands that build the lab's links: the
// ClientIface/ServerIface pair, and the extra NICs.
func (l *Lab) linkCommands() [][]string {
	c, s := l.ClientNS, l.ServerNS
	var cmds [][]string
	if l.opts.SharedNICs == 0 {
		cmds = append(cmds, []string{"link", "add", ClientIface, "netns", c, "type", "veth", "peer", "name", ServerIface, "netns", s})
	} else {
		// ServerIface is the bridge; eth-srvp0 the first pair's port.
		cmds = append(cmds,
			[]string{"-n", s, "link", "add", ServerIface, "type", "bridge"},
			[]string{"link", "add", ClientIface, "netns", c, "type", "veth", "peer", "name", "eth-srvp0", "netns", s},
			[]string{"-n", s, "link", "set", "eth-srvp0", "master", ServerIface, "up"})
	}
	for _, n := range l.opts.NICs() {
		cmds = append(cmds, []string{"link", "add", n.Name, "netns", c, "type", "veth", "peer", "name", n.Peer, "netns", s})
		if n.Subnet == labSubnet {
			cmds = append(cmds, []string{"-n", s, "link", "set", n.Peer, "master", ServerIface, "up"})
		} else {
			cmds = append(cmds,
				[]string{"-n", s, "addr", "add", netip.PrefixFrom(n.Router, 24).String(), "dev", n.Peer},
				[]string{"-n", s, "link", "set", n.Peer, "up"})
		}
		cmds = append(cmds, []string{"-n", c, "link", "set", n.Name, "up"})
	}
	return cmds
}

// waitBridge waits until the server's link (the bridge of SharedNICs, or
// the veth end) is running: Kea opens no socket on a link that is not
// (DHCPSRV_OPEN_SOCKET_FAIL "is not running") and never tries again. The
// kernel reports carrier (LOWER_UP) at once but the operational state, which
// IFF_RUNNING follows, only when its link watch gets to it: on a loaded
// machine after the server has started.
func (l *Lab) waitBridge() {
	l.t.Helper()
	waitUntil(l.t, 5*time.Second, "the server's link to be running", func() error {
		out, err := exec.Command("ip", "-n", l.ServerNS, "link", "show", ServerIface).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "LOWER_UP") || !strings.Contains(string(out), "state UP") {
			return fmt.Errorf("ip link show %s: %v: %s", ServerIface, err, out)
		}
		return nil
	})
}

// subnetNICs are the NICs the server serves a subnet of its own on.
func (o LabOptions) subnetNICs() []NIC {
	var out []NIC
	for _, n := range o.NICs() {
		if n.Subnet != labSubnet {
			out = append(out, n)
		}
	}
	return out
}

// pool returns n's dynamic pool: .100 to .150 of its subnet.
func (n NIC) pool() (first, last netip.Addr) {
	b := n.Subnet.Addr().As4()
	b[3] = 100
	first = netip.AddrFrom4(b)
	b[3] = 150
	return first, netip.AddrFrom4(b)
}

// dnsmasqSubnetArgs serves each subnet NIC its range, tagged so that its
// router option is its own.
func (l *Lab) dnsmasqSubnetArgs(lease string) []string {
	var args []string
	for _, n := range l.opts.subnetNICs() {
		first, last := n.pool()
		tag := "n" + n.Peer
		args = append(args, "--interface="+n.Peer,
			"--dhcp-range=set:"+tag+","+first.String()+","+last.String()+",255.255.255.0,"+lease,
			"--dhcp-option=tag:"+tag+",3,"+n.Router.String(),
			"--dhcp-option=tag:"+tag+",6,"+n.DNS.String(),
			"--dhcp-option=tag:"+tag+",119,"+n.Search)
	}
	return args
}

// keaSubnets returns Kea's subnet4 entries and interfaces for the subnet
// NICs (ids from 2: the lab's own subnet is 1).
func (l *Lab) keaSubnets() (subnets []map[string]any, ifaces []string) {
	for i, n := range l.opts.subnetNICs() {
		first, last := n.pool()
		subnets = append(subnets, map[string]any{
			"id": i + 2, "subnet": n.Subnet.String(), "interface": n.Peer,
			"pools": []map[string]any{{"pool": first.String() + " - " + last.String()}},
			"option-data": []map[string]any{{"name": "routers", "data": n.Router.String()},
				{"name": "domain-name-servers", "data": n.DNS.String()},
				{"name": "domain-search", "data": n.Search}},
		})
		ifaces = append(ifaces, n.Peer)
	}
	return subnets, ifaces
}
