package lease

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Config is the client's behaviour for one interface: what it puts into its
// messages and how it paces acquisition (SPEC §6).
type Config struct {
	// HWAddr is the interface's hardware address (chaddr).
	HWAddr net.HardwareAddr
	// ClientID is sent as option 61 when not empty (RFC 2132 §9.14, RFC 4361).
	ClientID []byte
	// ClassID is sent as option 60 when not empty.
	ClassID string
	// Hostname is sent as option 12, or as option 81 (RFC 4702) when it is
	// a fully qualified name.
	Hostname string
	// Params is the parameter request list, option 55.
	Params []dhcpv4.OptionCode
	// Ignore lists options whose values are not used (PARAM_IGNORE_LIST).
	Ignore []dhcpv4.OptionCode
	// MaxMessageSize is sent as option 57 when at least 576 (RFC 2132 §9.10).
	MaxMessageSize uint16
	// SelectWait bounds the random wait before the first DISCOVER.
	SelectWait time.Duration
	// OfferWait is how long offers are collected; 0 takes the first
	// acceptable one.
	OfferWait time.Duration
	// RapidCommit asks for a two-message exchange (RFC 4039).
	RapidCommit bool
	// ARPProbe checks the address with RFC 5227 probes before using it.
	ARPProbe bool
	// VerifiedLeaseOnly gives up a remembered lease that INIT-REBOOT could
	// not confirm, instead of using it until it expires.
	VerifiedLeaseOnly bool
	// ApplyMTU asks for option 26 in the default parameter request list:
	// the MTU is only worth asking for when it is applied (APPLY_MTU).
	ApplyMTU bool
	// IPv6OnlyPreferred asks for option 108 and honours it (RFC 8925).
	IPv6OnlyPreferred bool
	// Conflicts reports an address inside a network that another interface
	// of the host already has; such offers are refused.
	Conflicts func(netip.Addr) bool
	// HostAddress reports an address the host already has on one of its
	// interfaces. A route (121 or 3) through one is left out, the others
	// kept (ReasonHostGateway); the leased address itself is refused as a
	// gateway without asking.
	HostAddress func(netip.Addr) bool
}

// MaxMessageSize is option 57 for an interface MTU: the largest DHCP
// message that fits in one IPv4 datagram (RFC 2132 §9.10: the IP and UDP
// headers, 28 bytes, left out), at least the 576 every host takes.
func MaxMessageSize(mtu int) uint16 {
	return uint16(min(max(mtu-28, 576), 65535))
}

// DefaultParams is the parameter request list used when none is configured:
// what an interface needs to be usable, as dhcpcd and illumos ask by default.
// Option 26 (MTU) is added only with ApplyMTU (see Config.params): a server
// is not asked for what the client would not use.
var DefaultParams = []dhcpv4.OptionCode{
	dhcpv4.OptionSubnetMask,
	dhcpv4.OptionClasslessStaticRoute,
	dhcpv4.OptionRouter,
	dhcpv4.OptionDomainNameServer,
	dhcpv4.OptionHostName,
	dhcpv4.OptionDomainName,
	dhcpv4.OptionDNSDomainSearchList, // RFC 3397: the search list the resolver gets (SPEC §2)
	dhcpv4.OptionBroadcastAddress,
	dhcpv4.OptionNTPServers,
	dhcpv4.OptionIPAddressLeaseTime,
	dhcpv4.OptionServerIdentifier,
	dhcpv4.OptionRenewTimeValue,
	dhcpv4.OptionRebindingTimeValue,
}

// params is the parameter request list: the configured one, else
// DefaultParams with option 26 inserted after 119 when the MTU is applied.
func (c *Config) params() []dhcpv4.OptionCode {
	if len(c.Params) > 0 {
		return c.Params
	}
	if !c.ApplyMTU {
		return DefaultParams
	}
	i := slices.Index(DefaultParams, dhcpv4.OptionCode(dhcpv4.OptionDNSDomainSearchList)) + 1
	return slices.Insert(slices.Clone(DefaultParams), i, dhcpv4.OptionCode(dhcpv4.OptionInterfaceMTU))
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
// parameter request list, the maximum message size, the class id and the
// host name.
func (c *Config) withParams(m *dhcpv4.DHCPv4) *dhcpv4.DHCPv4 {
	params := c.params()
	if c.IPv6OnlyPreferred {
		params = append(params[:len(params):len(params)], dhcpv4.OptionIPv6OnlyPreferred)
	}
	m.UpdateOption(dhcpv4.OptParameterRequestList(params...))
	if c.MaxMessageSize >= 576 {
		m.UpdateOption(dhcpv4.OptMaxMessageSize(c.MaxMessageSize))
	}
	if c.ClassID != "" {
		m.UpdateOption(dhcpv4.OptClassIdentifier(c.ClassID))
	}
	switch {
	case strings.Contains(c.Hostname, "."):
		m.UpdateOption(dhcpv4.OptGeneric(dhcpv4.OptionFQDN, fqdn(c.Hostname)))
	case c.Hostname != "":
		m.UpdateOption(dhcpv4.OptHostName(c.Hostname))
	}
	return m
}

// fqdn encodes option 81 (RFC 4702 §2): flags S (the server updates the A
// record) and E (canonical wire format), two zero RCODEs, then the name.
func fqdn(name string) []byte {
	b := []byte{0x01 | 0x04, 0, 0}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 {
			continue
		}
		b = append(append(b, byte(len(label))), label...)
	}
	return append(b, 0)
}

// discover builds a DHCPDISCOVER (RFC 2131 §4.4.1).
func (c *Config) discover(xid uint32) *dhcpv4.DHCPv4 {
	m := c.withParams(c.message(dhcpv4.MessageTypeDiscover, xid))
	if c.RapidCommit {
		m.UpdateOption(dhcpv4.OptGeneric(dhcpv4.OptionRapidCommit, nil))
	}
	return m
}

// requestSelecting builds the REQUEST that accepts offer: options 50 and 54
// from the offer, ciaddr zero (RFC 2131 §4.3.2, "SELECTING state").
func (c *Config) requestSelecting(xid uint32, offer *dhcpv4.DHCPv4) *dhcpv4.DHCPv4 {
	m := c.withParams(c.message(dhcpv4.MessageTypeRequest, xid))
	m.UpdateOption(dhcpv4.OptRequestedIPAddress(offer.YourIPAddr))
	m.UpdateOption(dhcpv4.OptServerIdentifier(offer.ServerIdentifier()))
	return m
}

// requestReboot builds the INIT-REBOOT REQUEST: option 50 only, no server
// id, ciaddr zero (RFC 2131 §4.3.2, "INIT-REBOOT state").
func (c *Config) requestReboot(xid uint32, addr netip.Addr) *dhcpv4.DHCPv4 {
	m := c.withParams(c.message(dhcpv4.MessageTypeRequest, xid))
	m.UpdateOption(dhcpv4.OptRequestedIPAddress(ip(addr)))
	return m
}

// requestExtend builds the RENEWING and REBINDING REQUEST: ciaddr set,
// neither option 50 nor 54 (RFC 2131 §4.3.2).
func (c *Config) requestExtend(xid uint32, addr netip.Addr) *dhcpv4.DHCPv4 {
	m := c.withParams(c.message(dhcpv4.MessageTypeRequest, xid))
	m.ClientIPAddr = ip(addr)
	return m
}

// decline builds a DHCPDECLINE for l (RFC 2131 §4.4.4): options 50 and 54,
// ciaddr zero, and option 56 saying why.
func (c *Config) decline(xid uint32, l *Lease) *dhcpv4.DHCPv4 {
	m := c.message(dhcpv4.MessageTypeDecline, xid)
	m.UpdateOption(dhcpv4.OptRequestedIPAddress(ip(l.Addr.Addr())))
	m.UpdateOption(dhcpv4.OptServerIdentifier(ip(l.Server)))
	m.UpdateOption(dhcpv4.OptMessage("address in use (RFC 5227 probe)"))
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

// inform builds a DHCPINFORM for a static address (RFC 2131 §4.4.3).
func (c *Config) inform(xid uint32, addr netip.Addr) *dhcpv4.DHCPv4 {
	m := c.withParams(c.message(dhcpv4.MessageTypeInform, xid))
	m.ClientIPAddr = ip(addr)
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
