package config

import (
	"strconv"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Host is what the file says a lease of one interface puts on the host
// besides its address (SPEC §2, §6): the metric and table of its routes,
// whether its DNS reaches the resolver, whether its host name becomes the
// kernel's, and whether its MTU is set on the link. What the agent
// chooses itself where the file is silent (the primary's metric, 1000 +
// ifindex) is package hostplan's, which turns a lease and a Host into
// the kernel's plan.
type Host struct {
	// RouteMetric is ROUTE_METRIC when HasRouteMetric; unset, the agent
	// chooses one per interface.
	RouteMetric    int
	HasRouteMetric bool
	// RouteTable is ROUTE_TABLE's table, 0 for the main one (unset or
	// no); TableAuto for auto, a table of the interface's own.
	RouteTable int
	TableAuto  bool
	// DNS is false for DNS=no: the interface's DNS is kept out.
	DNS bool
	// Ignore lists the options whose values are not used
	// (PARAM_IGNORE_LIST).
	Ignore []dhcpv4.OptionCode
	// SetHostname makes the primary interface's option 12 the host name
	// (SET_HOSTNAME).
	SetHostname bool
	// ApplyMTU sets option 26 on the link (APPLY_MTU).
	ApplyMTU bool
}

// Host is what the file says a lease of the interface called name puts
// on the host. The values were checked when the file was read.
func (c *Config) Host(name string) Host {
	h := Host{
		DNS:         c.Get(name, "DNS") != "no",
		Ignore:      c.Options(name, "PARAM_IGNORE_LIST"),
		SetHostname: c.Bool(name, "SET_HOSTNAME"),
		ApplyMTU:    c.Bool(name, "APPLY_MTU"),
	}
	if v := c.Get(name, "ROUTE_METRIC"); v != "" {
		n, _ := strconv.ParseUint(v, 10, 32)
		h.RouteMetric, h.HasRouteMetric = int(n), true
	}
	switch v := c.Get(name, "ROUTE_TABLE"); v {
	case "", "no":
	case "auto":
		h.TableAuto = true
	default:
		n, _ := strconv.ParseUint(v, 10, 32)
		h.RouteTable = int(n)
	}
	return h
}
