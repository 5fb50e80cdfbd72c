package metrics

import "github.com/prometheus/client_golang/prometheus"

// ipcCollector exposes the control socket's refusals (ipc.Server.Refused),
// read at scrape time.
type ipcCollector struct {
	read func() map[string]uint64
}

var _ prometheus.Collector = ipcCollector{}

var ipcRefusedDesc = prometheus.NewDesc("dhcpagent_ipc_refused_total",
	"Control connections and requests refused, by reason: a limit on unprivileged callers "+
		"(conns_per_uid, conns, watches_per_uid, watches), descriptors exhausted, a failed accept, "+
		"a request not complete in time, a malformed one, or missing credentials.",
	[]string{"reason"}, nil)

func (ipcCollector) Describe(ch chan<- *prometheus.Desc) { ch <- ipcRefusedDesc }

func (c ipcCollector) Collect(ch chan<- prometheus.Metric) {
	for reason, n := range c.read() {
		ch <- prometheus.MustNewConstMetric(ipcRefusedDesc, prometheus.CounterValue, float64(n), reason)
	}
}
