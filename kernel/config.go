package kernel

import (
	"errors"
	"net/netip"
	"slices"
	"time"
)

// mainTable is the kernel's main routing table (RT_TABLE_MAIN in
// linux/rtnetlink.h); netlink_linux.go checks the two agree.
const mainTable = 254

// AddrConfig is what a lease puts on an interface. The owner keeps the value
// it applied and hands the same value to Remove, so exactly that is taken
// away and nothing an operator added.
type AddrConfig struct {
	Ifindex int
	Addr    netip.Prefix
	// Valid and Preferred are the address lifetimes; zero means forever.
	// The kernel then removes an address whose lease we failed to extend
	// even if the agent is gone.
	Valid, Preferred time.Duration
	Routes           []Route
	// Metric is the routes' priority: each interface has its own, so that
	// two DHCP interfaces keep two default routes (SPEC §2).
	Metric int
	// Table is the routing table of the routes, 0 for main. Another table
	// comes with a rule "from Addr lookup Table" (ROUTE_TABLE, SPEC §2).
	Table int
}

// RulePriority is the priority of the "from ADDRESS lookup TABLE" rules:
// after the local table's rule (0), before main's (32766).
const RulePriority = 30000

// table returns the kernel table number of c's routes.
func (c AddrConfig) table() int {
	if c.Table == 0 {
		return mainTable
	}
	return c.Table
}

// Vanished returns what old installed and next does not: the routes (by
// destination, gateway, metric and table) and whether old's rule goes. A
// renewal then leaves exactly the routes its ACK names (SPEC §2).
func Vanished(old, next AddrConfig) (routes []Route, rule bool) {
	sameKey := old.Metric == next.Metric && old.table() == next.table() && old.Addr == next.Addr
	for _, r := range old.Routes {
		if !sameKey || !slices.Contains(next.Routes, r) {
			routes = append(routes, r)
		}
	}
	rule = old.table() != mainTable && (old.table() != next.table() || old.Addr.Addr() != next.Addr.Addr())
	return routes, rule
}

// Route is a route through a gateway; an invalid Gw means on-link.
type Route struct {
	Dst netip.Prefix
	Gw  netip.Addr
}

// IfAddr is an IPv4 address of an interface.
type IfAddr struct {
	Ifindex int
	Prefix  netip.Prefix
}

// LinkState is what show-if needs to know of a link.
type LinkState struct {
	Index                                       int
	Up, Carrier                                 bool // IFF_UP, IFF_LOWER_UP
	Broadcast, Multicast, PointToPoint, Virtual bool
	Loopback                                    bool // IFF_LOOPBACK
}

// ErrNoLink is wrapped when a link does not exist.
var ErrNoLink = errors.New("no such link")
