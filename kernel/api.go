package kernel

import "net/netip"

// Configurer applies leases to the kernel and reads what it has: what the
// interface actors ask of the kernel. Netlink is the real one; package
// kerneltest has a fake for tests.
type Configurer interface {
	// Apply puts c's address, then its routes and rule, on the link. Its
	// error is the address's refusal, or, when the address went on, the
	// refusals of routes and rule joined (errors.Join), each a
	// *RouteError: the address is the host's then (the conflict check).
	Apply(c AddrConfig) error
	Remove(AddrConfig) error
	// Withdraw removes what old installed and next lacks (routes, rule),
	// keeping the address.
	Withdraw(old, next AddrConfig) error
	Addrs() ([]IfAddr, error)
	MTU(ifindex int) (int, error)
	SetMTU(ifindex, mtu int) error
}

// LinkAdmin configures links for interface administration (SPEC §4).
type LinkAdmin interface {
	State(name string) (LinkState, error)
	SetUp(index int, up bool) error
	SetIPv6(name string, on bool) error
	AddrFlags(index int, p netip.Prefix) (present, tentative, duplicate bool)
}

// RouteError is the kernel's refusal of one route or the rule of an
// application whose address it took (Configurer.Apply).
type RouteError struct{ Err error }

func (e *RouteError) Error() string { return e.Err.Error() }
func (e *RouteError) Unwrap() error { return e.Err }
