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
		VerifiedLeaseOnly: c.Bool(name, "VERIFIED_LEASE_ONLY"),
		IPv6OnlyPreferred: c.Bool(name, "IPV6_ONLY_PREFERRED"),
		Conflicts:         conflicts(env, link.Index),
	}, nil
}

// conflicts reports an address inside a network that another interface
// already has (SPEC §2): taking it would make two links claim one subnet.
// Networks that exist only through our own leases do not count: a server
// that leases several of our interfaces addresses in one subnet means it,
// and a host with many NICs on one segment is what the agent is for.
func conflicts(env *Env, ifindex int) func(netip.Addr) bool {
	return func(a netip.Addr) bool {
		addrs, err := env.addrs()
		if err != nil {
			return false // cannot tell: do not refuse a working offer
		}
		for _, ia := range addrs {
			if ia.Ifindex == ifindex || ia.Prefix.Addr().IsLoopback() || !ia.Prefix.Masked().Contains(a) {
				continue
			}
			if _, ours := env.leased.Load(ia); !ours {
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
