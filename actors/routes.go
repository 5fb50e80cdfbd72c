package actors

import (
	"strconv"
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
)

// Route metrics and tables (SPEC §2 "Several interfaces on one host").
const (
	// PrimaryMetric is the metric of the primary interface's routes when
	// ROUTE_METRIC does not set one: below every 1000 + ifindex, so its
	// default route is the one the kernel prefers.
	PrimaryMetric = 100
	// metricBase + ifindex is every other interface's metric: distinct per
	// interface, so that no interface's route takes another's place.
	metricBase = 1000
	// tableBase + ifindex is the table of ROUTE_TABLE=auto.
	tableBase = 1000
)

// routeMetric is the metric of the interface's routes: ROUTE_METRIC when
// the configuration sets one for it, else PrimaryMetric for the primary
// interface and 1000 + ifindex for the others.
func routeMetric(env *Env, link Link, primary bool) int {
	if v := env.Cfg().Get(link.Name, "ROUTE_METRIC"); v != "" {
		n, _ := strconv.ParseUint(v, 10, 32)
		return int(n)
	}
	if primary {
		return PrimaryMetric
	}
	return metricBase + link.Index
}

// routeTable is the table of the interface's routes: 0 (main) unless
// ROUTE_TABLE names one, auto being 1000 + ifindex.
func routeTable(env *Env, link Link) int {
	switch v := env.Cfg().Get(link.Name, "ROUTE_TABLE"); v {
	case "", "no":
		return 0
	case "auto":
		return tableBase + link.Index
	default:
		n, _ := strconv.ParseUint(v, 10, 32)
		return int(n)
	}
}

// addrConfig is what lease l puts on the interface now.
func (a *iface) addrConfig(l *lease.Lease, now time.Time) kernel.AddrConfig {
	c := kernel.AddrConfig{Ifindex: a.link.Index, Addr: l.Addr,
		Metric: routeMetric(a.env, a.link, a.inc.primary), Table: routeTable(a.env, a.link)}
	if !l.Infinite {
		// Never zero, which the kernel reads as forever (SPEC §2: no lease
		// becomes an address without a lifetime unless it is infinite); a
		// lease with no time left is removed by its expiry at once anyway.
		c.Valid = max(l.Remaining(now), time.Second)
		c.Preferred = c.Valid
	}
	if c.Table != 0 {
		// The table of its own needs the subnet too: what leaves from the
		// leased address to a neighbour must not go through the router.
		c.Routes = append(c.Routes, kernel.Route{Dst: l.Addr.Masked()})
	}
	for _, r := range l.Routes {
		c.Routes = append(c.Routes, kernel.Route{Dst: r.Dst, Gw: r.Gw})
	}
	return c
}

// setPrimary makes the interface the primary one or not; its routes move
// to the metric that goes with it (start --primary elsewhere moves the
// preferred default route).
func (a *iface) setPrimary(on bool) {
	if a.inc.primary == on {
		return
	}
	a.inc.primary = on
	a.reapply()
}

// reapply applies the held lease again, when its metric, table, DNS or
// host name may have changed (a new primary, SIGHUP): what is already in
// the kernel stays, what no longer applies is withdrawn, and the resolver
// hears only of a change.
func (a *iface) reapply() {
	if l := a.m.Status().Lease; l != nil {
		a.apply(l, a.env.Clock.Now(), true) // only over the address applied
	}
}
