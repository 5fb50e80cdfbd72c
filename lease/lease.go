package lease

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// infiniteLease is the lease time RFC 2132 §9.2 reserves for "infinity".
const infiniteLease = 0xffffffff

// Lease is what an ACK granted, with its times made absolute.
type Lease struct {
	// Addr is the leased address with the prefix length from option 1.
	Addr netip.Prefix
	// Server is the server identifier (option 54).
	Server netip.Addr
	// Routers are the routers of option 3, in the server's order of preference.
	Routers []netip.Addr
	// Began is when the REQUEST that won the lease was first sent; RFC 2131
	// §4.4.1 counts the lease from then, not from the ACK's arrival.
	Began time.Time
	// Duration is the lease time of option 51; zero when Infinite.
	Duration time.Duration
	// Infinite is set for a lease time of 0xffffffff.
	Infinite bool
	// ACK is the message that granted the lease, kept for option queries.
	ACK *dhcpv4.DHCPv4
}

// Expires is the instant the lease runs out; the zero Time when infinite.
func (l *Lease) Expires() time.Time {
	if l.Infinite {
		return time.Time{}
	}
	return l.Began.Add(l.Duration)
}

// Remaining is the lease time left at now, never negative. An infinite lease
// reports the largest Duration.
func (l *Lease) Remaining(now time.Time) time.Duration {
	if l.Infinite {
		return time.Duration(1<<63 - 1)
	}
	return max(l.Expires().Sub(now), 0)
}

// Errors that make an OFFER or ACK unusable (RFC 2131 §4.4.1 and the SPEC).
var (
	ErrNoServerID  = errors.New("no server identifier (option 54)")
	ErrNoLeaseTime = errors.New("no lease time (option 51)")
	ErrBadAddress  = errors.New("unusable address")
)

// checkReply reports why a reply cannot become a lease, or nil.
func checkReply(m *dhcpv4.DHCPv4) error {
	if _, ok := addr4(m.ServerIdentifier()); !ok {
		return ErrNoServerID
	}
	if len(m.Options.Get(dhcpv4.OptionIPAddressLeaseTime)) != 4 {
		return ErrNoLeaseTime
	}
	ip, ok := addr4(m.YourIPAddr)
	if !ok || !usable(ip) {
		return fmt.Errorf("%w %v", ErrBadAddress, m.YourIPAddr)
	}
	return nil
}

// usable rejects addresses a host must never configure as its own:
// 0/8, loopback, multicast and the limited broadcast address.
func usable(a netip.Addr) bool {
	return a.Is4() && a.As4()[0] != 0 && !a.IsLoopback() && !a.IsMulticast() &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// newLease builds the Lease an ACK grants. began is when the winning REQUEST
// was first sent. The ACK must have passed checkReply.
func newLease(ack *dhcpv4.DHCPv4, began time.Time) *Lease {
	ip, _ := addr4(ack.YourIPAddr)
	server, _ := addr4(ack.ServerIdentifier())
	secs := binary.BigEndian.Uint32(ack.Options.Get(dhcpv4.OptionIPAddressLeaseTime))
	l := &Lease{
		Addr:   netip.PrefixFrom(ip, prefixLen(ack.SubnetMask(), ip)),
		Server: server,
		Began:  began,
		ACK:    ack,
	}
	if secs == infiniteLease {
		l.Infinite = true
	} else {
		l.Duration = time.Duration(secs) * time.Second
	}
	for _, r := range ack.Router() {
		if a, ok := addr4(r); ok && usable(a) {
			l.Routers = append(l.Routers, a)
		}
	}
	return l
}

// prefixLen returns the length of a contiguous subnet mask, or the classful
// guess of RFC 950 for ip when the mask is absent or not contiguous.
func prefixLen(mask net.IPMask, ip netip.Addr) int {
	if ones, bits := mask.Size(); bits == 32 {
		return ones
	}
	switch b := ip.As4()[0]; {
	case b < 128:
		return 8
	case b < 192:
		return 16
	default:
		return 24
	}
}

// addr4 converts a net.IP holding an IPv4 address; ok is false otherwise.
func addr4(ip net.IP) (netip.Addr, bool) {
	v4 := ip.To4()
	if v4 == nil {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(v4)), true
}
