package lease

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// infiniteLease is the lease time RFC 2132 §9.2 reserves for "infinity".
const infiniteLease = 0xffffffff

// shortLease is the lease below which the client does not try to renew,
// only lets the lease expire. SPEC §2: short leases are renewed like any
// other (a 30 s lease renews at 15 s); only 0 s and 1 s leases, which
// leave no room for an exchange, are not.
const shortLease = 2 * time.Second

// Route is a route a lease installs; an invalid Gw means on-link.
type Route struct {
	Dst netip.Prefix
	Gw  netip.Addr
}

// Lease is what an ACK (or a BOOTP reply) granted, with its times made
// absolute.
type Lease struct {
	// Addr is the leased address with the prefix length from option 1.
	Addr netip.Prefix
	// Server is the server identifier (option 54), or the BOOTP server.
	Server netip.Addr
	// Routers are the routers of option 3, in the server's order.
	Routers []netip.Addr
	// Routes are the routes to install: option 121 (RFC 3442) when present,
	// else a default route through the first router of option 3.
	Routes []Route
	// MTU is option 26, 0 when absent.
	MTU int
	// Began is when the exchange that won the lease was started; RFC 2131
	// §4.4.1 counts the lease from then, not from the ACK's arrival.
	Began time.Time
	// Duration is the lease time of option 51; zero when Infinite.
	Duration time.Duration
	// Infinite is set for a lease time of 0xffffffff and for BOOTP.
	Infinite bool
	// BOOTP is set for a lease from a BOOTP reply (RFC 951).
	BOOTP bool
	// T1 and T2 are the renewal and rebinding instants; zero when the lease
	// is not renewed (infinite, or 0 s and 1 s leases).
	T1, T2 time.Time
	// ACK is the latest message that granted or extended the lease;
	// FirstACK the one that first granted it. Option queries look in ACK,
	// then in FirstACK.
	ACK, FirstACK *dhcpv4.DHCPv4
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

// Valid reports whether the lease has time left at now.
func (l *Lease) Valid(now time.Time) bool {
	return l.Infinite || now.Before(l.Expires())
}

// Errors that make an OFFER or ACK unusable (RFC 2131 §4.4.1 and the SPEC).
var (
	ErrNoServerID  = errors.New("no server identifier (option 54)")
	ErrNoLeaseTime = errors.New("no lease time (option 51)")
	ErrBadAddress  = errors.New("unusable address")
	ErrConflict    = errors.New("address inside a network of another interface")
	ErrZeroLease   = errors.New("lease time of 0 (option 51)")
)

// isBOOTP reports whether m is a BOOTP reply: no DHCP message type.
func isBOOTP(m *dhcpv4.DHCPv4) bool {
	return len(m.Options.Get(dhcpv4.OptionDHCPMessageType)) == 0
}

// checkReply reports why a reply cannot become a lease, or nil.
func (c *Config) checkReply(m *dhcpv4.DHCPv4) error {
	if !isBOOTP(m) {
		if _, ok := addr4(m.ServerIdentifier()); !ok {
			return ErrNoServerID
		}
		v := m.Options.Get(dhcpv4.OptionIPAddressLeaseTime)
		if len(v) != 4 {
			return ErrNoLeaseTime
		}
		if binary.BigEndian.Uint32(v) == 0 {
			// SPEC §2: a lease of no time at all is unusable; installed,
			// it would be an address without a lifetime (valid_lft forever).
			return ErrZeroLease
		}
	}
	ip, ok := addr4(m.YourIPAddr)
	if !ok || !usable(ip) {
		return fmt.Errorf("%w %v", ErrBadAddress, m.YourIPAddr)
	}
	srv, _ := addr4(m.ServerIdentifier())
	if why := yiaddrProblem(ip, srv, c.mask(m)); why != "" {
		return fmt.Errorf("%w %v: %s", ErrBadAddress, ip, why)
	}
	if c.Conflicts != nil && c.Conflicts(ip) {
		return fmt.Errorf("%w: %v", ErrConflict, ip)
	}
	return nil
}

// usable rejects addresses a host must never configure as its own:
// 0/8, loopback, multicast and the limited broadcast address.
func usable(a netip.Addr) bool {
	return a.Is4() && a.As4()[0] != 0 && !a.IsLoopback() && !a.IsMulticast() &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// mask is the subnet mask m gives the address, nil when it sends none or
// the configuration ignores option 1 (the classful guess applies). The
// address checks and the installed prefix read the same one.
func (c *Config) mask(m *dhcpv4.DHCPv4) net.IPMask {
	if c.ignores(dhcpv4.OptionSubnetMask) {
		return nil
	}
	return m.SubnetMask()
}

// newLease builds the Lease a reply grants; see grant.
func (c *Config) newLease(ack *dhcpv4.DHCPv4, began time.Time) *Lease {
	l, _ := c.grant(ack, began)
	return l
}

// grant builds the Lease a reply grants. began is when the exchange that
// won it started. The reply must have passed checkReply. What the lease
// leaves out (bad routes and routers) comes back as problems.
func (c *Config) grant(ack *dhcpv4.DHCPv4, began time.Time) (*Lease, []problem) {
	ip, _ := addr4(ack.YourIPAddr)
	l := &Lease{Began: began, ACK: ack, FirstACK: ack}
	l.Addr = netip.PrefixFrom(ip, prefixLen(c.mask(ack), ip))
	if isBOOTP(ack) {
		// RFC 951 has no lease: the address is ours until we give it up.
		l.BOOTP, l.Infinite = true, true
		l.Server, _ = addr4(ack.ServerIPAddr)
	} else {
		l.Server, _ = addr4(ack.ServerIdentifier())
		secs := binary.BigEndian.Uint32(ack.Options.Get(dhcpv4.OptionIPAddressLeaseTime))
		if secs == infiniteLease {
			l.Infinite = true
		} else {
			l.Duration = time.Duration(secs) * time.Second
		}
	}
	var probs, more []problem
	l.Routers, probs = c.routers(ack, l.Addr)
	l.Routes, more = c.routes(ack, l.Addr, l.Routers)
	probs = append(probs, more...)
	if v := ack.Options.Get(dhcpv4.OptionInterfaceMTU); len(v) == 2 && !c.ignores(dhcpv4.OptionInterfaceMTU) {
		// RFC 2132 §5.1: the minimum legal value is 68.
		if mtu := int(binary.BigEndian.Uint16(v)); mtu >= 68 {
			l.MTU = mtu
		}
	}
	return l, probs
}

func (c *Config) ignores(code dhcpv4.OptionCode) bool {
	return slices.ContainsFunc(c.Ignore, func(o dhcpv4.OptionCode) bool { return o.Code() == code.Code() })
}

// schedule sets T1 and T2 (RFC 2131 §4.4.5): options 58 and 59 when they
// make sense, else 0.5 and 0.875 of the lease with a ±2% fuzz so that
// clients that bound together do not renew together.
func (l *Lease) schedule(rnd Rand) {
	if l.Infinite || l.Duration < shortLease {
		return
	}
	t1, t2 := optSeconds(l.ACK, dhcpv4.OptionRenewTimeValue), optSeconds(l.ACK, dhcpv4.OptionRebindingTimeValue)
	def1, def2 := fuzz(l.Duration/2, rnd), fuzz(l.Duration*7/8, rnd)
	if t1 < 0 {
		t1 = def1
	}
	if t2 < 0 {
		t2 = def2
	}
	if t1 >= l.Duration || t2 > l.Duration || t2 <= t1 {
		t1, t2 = def1, def2
	}
	l.T1, l.T2 = l.Began.Add(t1), l.Began.Add(t2)
}

// fuzz returns d changed by a uniform ±2%.
func fuzz(d time.Duration, rnd Rand) time.Duration {
	spread := d / 50
	return d - spread + time.Duration(rnd.Int63n(int64(2*spread)+1))
}

// optSeconds reads a 32-bit seconds option, or -1 when absent or malformed.
func optSeconds(m *dhcpv4.DHCPv4, code dhcpv4.OptionCode) time.Duration {
	v := m.Options.Get(code)
	if len(v) != 4 {
		return -1
	}
	return time.Duration(binary.BigEndian.Uint32(v)) * time.Second
}

// prefixLen returns the length of a contiguous subnet mask, or the classful
// guess of RFC 950 for ip when the mask is absent or not contiguous.
func prefixLen(mask net.IPMask, ip netip.Addr) int {
	// A mask of 0.0.0.0 would install the address as /0 (SPEC §2): fall
	// back to the classful length, as for a missing or non-contiguous one.
	if ones, bits := mask.Size(); bits == 32 && ones > 0 {
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

func prefix4(n *net.IPNet) (netip.Prefix, bool) {
	a, ok := addr4(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, bits := n.Mask.Size()
	if bits != 32 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, ones).Masked(), true
}

// Restore rebuilds a lease from its persisted form: the ACK that first
// granted it, the latest one, and when the latest exchange began.
func (c *Config) Restore(first, latest *dhcpv4.DHCPv4, began time.Time) (*Lease, error) {
	if err := c.checkReply(latest); err != nil {
		return nil, fmt.Errorf("stored ACK: %w", err)
	}
	l := c.newLease(latest, began)
	l.FirstACK = first
	l.schedule(fixedRand{})
	return l, nil
}

// ErrExpired is Resume's answer for a stored lease with no time left.
var ErrExpired = errors.New("stored lease has expired")

// Resume is Restore for an interface coming back (a restarted actor, a
// new agent): the stored lease is used only while it has time left at
// now. An expired one is returned with ErrExpired (its address is worth
// logging); an unusable ACK gives Restore's error and no lease. Either
// way the interface acquires afresh.
func (c *Config) Resume(first, latest *dhcpv4.DHCPv4, began, now time.Time) (*Lease, error) {
	l, err := c.Restore(first, latest, began)
	if err != nil {
		return nil, err
	}
	if !l.Valid(now) {
		return l, ErrExpired
	}
	return l, nil
}

// fixedRand gives a restored lease unfuzzed T1 and T2: the fuzz was drawn
// when the lease was granted, and binding again draws it anew.
type fixedRand struct{}

func (fixedRand) XID() uint32          { return 0 }
func (fixedRand) Int63n(n int64) int64 { return n / 2 }
