package lease

import (
	"net"
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Config is what the machine puts into the messages it builds.
type Config struct {
	// HWAddr is the interface's hardware address (chaddr).
	HWAddr net.HardwareAddr
	// ClientID is sent as option 61 when not empty (RFC 2132 §9.14, RFC 4361).
	ClientID []byte
	// Hostname is sent as option 12 when not empty.
	Hostname string
	// Params is the parameter request list, option 55.
	Params []dhcpv4.OptionCode
	// MaxMessageSize is sent as option 57 when at least 576 (RFC 2132 §9.10).
	MaxMessageSize uint16
}

// DefaultParams is the parameter request list used when none is configured:
// what an interface needs to be usable, as dhcpcd and illumos ask by default.
var DefaultParams = []dhcpv4.OptionCode{
	dhcpv4.OptionSubnetMask,
	dhcpv4.OptionRouter,
	dhcpv4.OptionDomainNameServer,
	dhcpv4.OptionHostName,
	dhcpv4.OptionDomainName,
	dhcpv4.OptionInterfaceMTU,
	dhcpv4.OptionBroadcastAddress,
	dhcpv4.OptionNTPServers,
	dhcpv4.OptionIPAddressLeaseTime,
	dhcpv4.OptionServerIdentifier,
	dhcpv4.OptionRenewTimeValue,
	dhcpv4.OptionRebindingTimeValue,
	dhcpv4.OptionClasslessStaticRoute,
}

// message starts a BOOTREQUEST of type t with the options every client
// message carries (RFC 2131 §4.4.1 table 5).
func (c *Config) message(t dhcpv4.MessageType, xid uint32) *dhcpv4.DHCPv4 {
	m := &dhcpv4.DHCPv4{
		OpCode:        dhcpv4.OpcodeBootRequest,
		HWType:        1, // Ethernet (RFC 1700)
		ClientHWAddr:  c.HWAddr,
		TransactionID: xidBytes(xid),
		ClientIPAddr:  net.IPv4zero,
		YourIPAddr:    net.IPv4zero,
		ServerIPAddr:  net.IPv4zero,
		GatewayIPAddr: net.IPv4zero,
		Options:       make(dhcpv4.Options),
	}
	m.UpdateOption(dhcpv4.OptMessageType(t))
	if len(c.ClientID) > 0 {
		m.UpdateOption(dhcpv4.OptClientIdentifier(c.ClientID))
	}
	return m
}

// withParams adds what a client asking for configuration sends: the
// parameter request list, the maximum message size and the host name.
func (c *Config) withParams(m *dhcpv4.DHCPv4) *dhcpv4.DHCPv4 {
	params := c.Params
	if len(params) == 0 {
		params = DefaultParams
	}
	m.UpdateOption(dhcpv4.OptParameterRequestList(params...))
	if c.MaxMessageSize >= 576 {
		m.UpdateOption(dhcpv4.OptMaxMessageSize(c.MaxMessageSize))
	}
	if c.Hostname != "" {
		m.UpdateOption(dhcpv4.OptHostName(c.Hostname))
	}
	return m
}

// discover builds a DHCPDISCOVER (RFC 2131 §4.4.1).
func (c *Config) discover(xid uint32) *dhcpv4.DHCPv4 {
	return c.withParams(c.message(dhcpv4.MessageTypeDiscover, xid))
}

// requestSelecting builds the REQUEST that accepts offer: options 50 and 54
// from the offer, ciaddr zero (RFC 2131 §4.3.2, "SELECTING state").
func (c *Config) requestSelecting(xid uint32, offer *dhcpv4.DHCPv4) *dhcpv4.DHCPv4 {
	m := c.withParams(c.message(dhcpv4.MessageTypeRequest, xid))
	m.UpdateOption(dhcpv4.OptRequestedIPAddress(offer.YourIPAddr))
	m.UpdateOption(dhcpv4.OptServerIdentifier(offer.ServerIdentifier()))
	return m
}

// release builds a DHCPRELEASE for l (RFC 2131 §4.4.6): ciaddr is the leased
// address, option 54 names the server, option 56 says why.
func (c *Config) release(xid uint32, l *Lease) *dhcpv4.DHCPv4 {
	m := c.message(dhcpv4.MessageTypeRelease, xid)
	m.ClientIPAddr = ip(l.Addr.Addr())
	m.UpdateOption(dhcpv4.OptServerIdentifier(ip(l.Server)))
	m.UpdateOption(dhcpv4.OptMessage("released by operator"))
	return m
}

func ip(a netip.Addr) net.IP { return net.IP(a.AsSlice()) }

func xidBytes(x uint32) dhcpv4.TransactionID {
	return dhcpv4.TransactionID{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}
}

// XID returns the transaction id of m as a number.
func XID(m *dhcpv4.DHCPv4) uint32 {
	x := m.TransactionID
	return uint32(x[0])<<24 | uint32(x[1])<<16 | uint32(x[2])<<8 | uint32(x[3])
}
