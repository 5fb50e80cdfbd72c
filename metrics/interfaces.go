package metrics

import (
	"context"
	"math"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/prometheus/client_golang/prometheus"
)

// ifaceCollector reports every managed interface at scrape time, from the
// statuses the interface actors answer (SPEC §3 `status`). The actors are
// asked by message with a deadline: a scrape waits at most wait and
// never holds an actor up (the ask is a message with a buffered reply
// channel); a failed ask is counted and the per-interface
// series are left out of that scrape.
type ifaceCollector struct {
	statuses func(context.Context) ([]messages.IfStatus, error)
	wait     time.Duration
	failures prometheus.Counter

	state, primary, began, renew, rebind, expiry, badOffers, declines, refused *prometheus.Desc
}

func newIfaceCollector(statuses func(context.Context) ([]messages.IfStatus, error), wait time.Duration) *ifaceCollector {
	iface := []string{"iface"}
	return &ifaceCollector{
		statuses: statuses,
		wait:     wait,
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dhcpagent_status_scrape_failures_total",
			Help: "Scrapes in which the interfaces did not answer their status in time.",
		}),
		state: prometheus.NewDesc("dhcpagent_interface_state",
			"1 for the interface's current state (INIT, SELECTING, ..., BOUND, FAILED).", []string{"iface", "state"}, nil),
		primary: prometheus.NewDesc("dhcpagent_interface_primary",
			"1 when the interface is the primary one.", iface, nil),
		began: prometheus.NewDesc("dhcpagent_lease_start_timestamp_seconds",
			"When the lease held was granted (Unix time).", iface, nil),
		renew: prometheus.NewDesc("dhcpagent_lease_renewal_timestamp_seconds",
			"When the lease is due for renewal, T1 (Unix time; +Inf for an infinite lease).", iface, nil),
		rebind: prometheus.NewDesc("dhcpagent_lease_rebinding_timestamp_seconds",
			"When the lease is due for rebinding, T2 (Unix time; +Inf for an infinite lease).", iface, nil),
		expiry: prometheus.NewDesc("dhcpagent_lease_expiry_timestamp_seconds",
			"When the lease held expires (Unix time; +Inf for an infinite lease).", iface, nil),
		badOffers: prometheus.NewDesc("dhcpagent_bad_offers_total",
			"Offers and ACKs rejected as unusable, since the interface's actor started.", iface, nil),
		declines: prometheus.NewDesc("dhcpagent_declines_total",
			"Addresses declined after a conflict, since the interface's actor started.", iface, nil),
		refused: prometheus.NewDesc("dhcpagent_refused_total",
			"Replies (or parts of them: routes) refused and exchanges failed, by reason, since the interface's actor started; "+
				"a reason appears once it has happened.", []string{"iface", "reason"}, nil),
	}
}

var _ prometheus.Collector = (*ifaceCollector)(nil)

func (c *ifaceCollector) Describe(ch chan<- *prometheus.Desc) {
	c.failures.Describe(ch)
	for _, d := range []*prometheus.Desc{c.state, c.primary, c.began, c.renew, c.rebind, c.expiry, c.badOffers, c.declines, c.refused} {
		ch <- d
	}
}

func (c *ifaceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.wait)
	defer cancel()
	sts, err := c.statuses(ctx)
	if err != nil {
		c.failures.Inc()
	}
	c.failures.Collect(ch)
	for _, s := range sts {
		name := s.Ifname
		ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, 1, name, s.StateName())
		primary := 0.0
		if s.Primary {
			primary = 1
		}
		ch <- prometheus.MustNewConstMetric(c.primary, prometheus.GaugeValue, primary, name)
		ch <- prometheus.MustNewConstMetric(c.badOffers, prometheus.CounterValue, float64(s.Counters.BadOffers), name)
		ch <- prometheus.MustNewConstMetric(c.declines, prometheus.CounterValue, float64(s.Counters.Declined), name)
		for r, n := range s.Counters.Refused {
			// Only the reasons seen: twelve series for each of a thousand
			// interfaces would be mostly zeros.
			if n > 0 {
				ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(n), name, lease.Reason(r).String())
			}
		}
		if !s.Addr.IsValid() {
			continue // no lease: no instants
		}
		infinite := s.Expires.IsZero()
		if !s.Began.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.began, prometheus.GaugeValue, unix(s.Began, false), name)
		}
		ch <- prometheus.MustNewConstMetric(c.expiry, prometheus.GaugeValue, unix(s.Expires, infinite), name)
		if !s.T1.IsZero() || infinite {
			ch <- prometheus.MustNewConstMetric(c.renew, prometheus.GaugeValue, unix(s.T1, infinite), name)
		}
		if !s.T2.IsZero() || infinite {
			ch <- prometheus.MustNewConstMetric(c.rebind, prometheus.GaugeValue, unix(s.T2, infinite), name)
		}
	}
}

// unix is t in Unix seconds; +Inf for an instant that never comes.
func unix(t time.Time, never bool) float64 {
	if never || t.IsZero() {
		return math.Inf(1)
	}
	return float64(t.UnixNano()) / 1e9
}
