package actors

import (
	"fmt"
	"net/netip"
	"os"

	"github.com/dhcpagent/dhcpagent/lease"
)

// leaseConfig turns the configuration file's keys for one interface into
// the lease machine's Config (SPEC §6).
func leaseConfig(env *Env, link Link) (lease.Config, error) {
	c := env.Cfg()
	name := link.Name
	duid := env.DUID
	if len(duid) == 0 {
		duid = lease.DUIDLL(link.HWAddr)
	}
	iaid := lease.IAID(link.HWAddr)
	if env.IAID != nil {
		iaid = env.IAID(link)
	}
	id, err := lease.ClientID(c.Get(name, "CLIENT_ID"), link.HWAddr, iaid, duid)
	if err != nil {
		return lease.Config{}, fmt.Errorf("CLIENT_ID: %w", err)
	}
	host := c.Get(name, "HOSTNAME")
	if host == "" && c.Bool(name, "REQUEST_HOSTNAME") {
		host, _ = os.Hostname()
	}
	return lease.Config{
		HWAddr:            link.HWAddr,
		ClientID:          id,
		ClassID:           c.Get(name, "CLASS_ID"),
		Hostname:          host,
		Params:            c.Options(name, "PARAM_REQUEST_LIST"),
		Ignore:            c.Options(name, "PARAM_IGNORE_LIST"),
		MaxMessageSize:    maxMessageSize(link.MTU),
		SelectWait:        c.Duration(name, "SELECT_WAIT"),
		OfferWait:         c.Duration(name, "OFFER_WAIT"),
		RapidCommit:       c.Bool(name, "RAPID_COMMIT"),
		ARPProbe:          c.Bool(name, "ARP_PROBE"),
		ApplyMTU:          c.Bool(name, "APPLY_MTU"),
		VerifiedLeaseOnly: c.Bool(name, "VERIFIED_LEASE_ONLY"),
		IPv6OnlyPreferred: c.Bool(name, "IPV6_ONLY_PREFERRED"),
		Conflicts:         conflicts(env, link.Index),
	}, nil
}

// conflicts reports an offered address the host cannot take for this
// interface (SPEC §2): one that another interface already has (the kernel
// would answer for it on both), or one inside a network of an interface
// the agent does not manage (two links would claim one subnet). A subnet
// that another managed interface uses is fine: a server with several ports
// on one VLAN leases each its own address there. The manager registers
// every stored interface before any resumes (manager.resume), so at
// restart no interface's lease stands in another's way.
func conflicts(env *Env, ifindex int) func(netip.Addr) bool {
	return func(a netip.Addr) bool {
		addrs, err := env.hostAddrs.get(env.Clock, env.Net)
		if err != nil {
			return false // cannot tell: do not refuse a working offer
		}
		for _, ia := range addrs {
			if ia.Ifindex == ifindex || ia.Prefix.Addr().IsLoopback() {
				continue
			}
			if ia.Prefix.Addr() == a || (ia.Prefix.Masked().Contains(a) && !env.managed.has(ia.Ifindex)) {
				return true
			}
		}
		return false
	}
}

// maxMessageSize is option 57 for an interface MTU: the largest DHCP
// message that fits in one IPv4 datagram (RFC 2132 §9.10), at least 576.
func maxMessageSize(mtu int) uint16 {
	return uint16(min(max(mtu-28, 576), 65535))
}
