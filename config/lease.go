package config

import (
	"fmt"
	"net"

	"github.com/dhcpagent/dhcpagent/lease"
)

// Link is what the lease machine's configuration needs to know of an
// interface and the host besides the file.
type Link struct {
	Name   string
	HWAddr net.HardwareAddr
	MTU    int
	// IAID and DUID identify the client for CLIENT_ID=duid (RFC 4361);
	// a nil DUID is the DUID-LL of HWAddr.
	IAID uint32
	DUID []byte
	// Hostname is the kernel's host name, asked for with REQUEST_HOSTNAME
	// when HOSTNAME is unset; nil or "" asks for none.
	Hostname func() (string, error)
}

// Lease is the lease machine's configuration for link: the keys of SPEC §6
// as they are for that interface. Only Conflicts, which needs the host's
// addresses, is left to the caller.
func (c *Config) Lease(link Link) (lease.Config, error) {
	name := link.Name
	duid := link.DUID
	if len(duid) == 0 {
		duid = lease.DUIDLL(link.HWAddr)
	}
	id, err := lease.ClientID(c.Get(name, "CLIENT_ID"), link.HWAddr, link.IAID, duid)
	if err != nil {
		return lease.Config{}, fmt.Errorf("CLIENT_ID: %w", err)
	}
	host := c.Get(name, "HOSTNAME")
	if host == "" && c.Bool(name, "REQUEST_HOSTNAME") && link.Hostname != nil {
		host, _ = link.Hostname()
	}
	return lease.Config{
		HWAddr:            link.HWAddr,
		ClientID:          id,
		ClassID:           c.Get(name, "CLASS_ID"),
		Hostname:          host,
		Params:            c.Options(name, "PARAM_REQUEST_LIST"),
		Ignore:            c.Options(name, "PARAM_IGNORE_LIST"),
		MaxMessageSize:    lease.MaxMessageSize(link.MTU),
		SelectWait:        c.Duration(name, "SELECT_WAIT"),
		OfferWait:         c.Duration(name, "OFFER_WAIT"),
		RapidCommit:       c.Bool(name, "RAPID_COMMIT"),
		ARPProbe:          c.Bool(name, "ARP_PROBE"),
		ApplyMTU:          c.Bool(name, "APPLY_MTU"),
		VerifiedLeaseOnly: c.Bool(name, "VERIFIED_LEASE_ONLY"),
		IPv6OnlyPreferred: c.Bool(name, "IPV6_ONLY_PREFERRED"),
	}, nil
}
