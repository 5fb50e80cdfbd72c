package metrics

import "github.com/prometheus/client_golang/prometheus"

// labelledCounter exposes counts kept elsewhere (a map of label value to
// count, every value present from the start), read at scrape time.
type labelledCounter struct {
	desc *prometheus.Desc
	read func() map[string]uint64
}

var _ prometheus.Collector = labelledCounter{}

var ipcRefusedDesc = prometheus.NewDesc("dhcpagent_ipc_refused_total",
	"Control connections and requests refused, by reason: a limit on unprivileged callers "+
		"(conns_per_uid, conns, watches_per_uid, watches), descriptors exhausted, a failed accept, "+
		"a request not complete in time, a malformed one, or missing credentials.",
	[]string{"reason"}, nil)

var stateProblemsDesc = prometheus.NewDesc("dhcpagent_state_problems_total",
	"Problems the agent ran on past in its state dir, by kind: an entry set aside (set_aside), "+
		"a record that could not be read (unreadable), a failed write (write_failed), a directory that "+
		"could not be made or cleaned (unwritable), an interface record remade from its lease (recovered).",
	[]string{"kind"}, nil)

var hooksRefusedDesc = prometheus.NewDesc("dhcpagent_hooks_refused_total",
	"Event hooks not run because another user could have written them, by reason: the file owned by "+
		"another user than root or the agent's (owner), writable by group or others (writable), or a "+
		"directory on the way to it others could write or another user owns, or a link another user owns (directory).",
	[]string{"reason"}, nil)

func (c labelledCounter) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c labelledCounter) Collect(ch chan<- prometheus.Metric) {
	for label, n := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n), label)
	}
}
