//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// metricsAddr is where the lab's agent serves --metrics: the loopback of
// the client namespace, so parallel labs never collide.
const metricsAddr = "127.0.0.1:9568"

// Metrics fetches /metrics from the agent in the client namespace (busybox
// wget) and parses it with the Prometheus text parser.
func (l *Lab) Metrics() (map[string]*dto.MetricFamily, error) {
	l.t.Helper()
	out, err := exec.Command("ip", "netns", "exec", l.ClientNS, "busybox", "wget", "-q", "-O", "-",
		"http://"+metricsAddr+"/metrics").Output()
	if err != nil {
		return nil, fmt.Errorf("wget /metrics: %w", err)
	}
	var p expfmt.TextParser
	return p.TextToMetricFamilies(bytes.NewReader(out))
}

// gauge returns the value of name's series whose labels include want.
func metricValue(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	for _, m := range fams[name].GetMetric() {
		ok := true
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			ok = ok && found
		}
		if !ok {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetrics binds a lease and reads /metrics as Prometheus would: the
// bound interface's state, its lease expiry (the status's, to the second)
// and renewal instants, the messages by type, the acquisition's latency,
// the bad offers and declines (none), the transport's counters and the Go
// runtime's, all typed.
func TestMetrics(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("busybox"); err != nil {
		t.Skip("busybox not installed; run scripts/deps.sh")
	}
	lab := newLab(t, LabOptions{Server: Dnsmasq, AgentArgs: []string{"--metrics", metricsAddr}})
	st := startBound(t, lab, "30")

	var fams map[string]*dto.MetricFamily
	waitUntil(t, 5*time.Second, "/metrics", func() (err error) {
		fams, err = lab.Metrics()
		return err
	})
	iface := map[string]string{"iface": ClientIface}
	for _, c := range []struct {
		name   string
		labels map[string]string
		typ    dto.MetricType
		want   float64 // NaN: any value
	}{
		{"dhcpagent_interface_state", map[string]string{"iface": ClientIface, "state": "BOUND"}, dto.MetricType_GAUGE, 1},
		{"dhcpagent_lease_expiry_timestamp_seconds", iface, dto.MetricType_GAUGE, float64(st.Expires.Unix())},
		{"dhcpagent_lease_renewal_timestamp_seconds", iface, dto.MetricType_GAUGE, float64(st.T1.Unix())},
		{"dhcpagent_messages_sent_total", map[string]string{"iface": ClientIface, "type": "DISCOVER"}, dto.MetricType_COUNTER, -1},
		{"dhcpagent_messages_received_total", map[string]string{"iface": ClientIface, "type": "ACK"}, dto.MetricType_COUNTER, 1},
		{"dhcpagent_transaction_duration_seconds", map[string]string{"kind": "acquire", "result": "ack"}, dto.MetricType_HISTOGRAM, 1},
		{"dhcpagent_bad_offers_total", iface, dto.MetricType_COUNTER, 0},
		{"dhcpagent_declines_total", iface, dto.MetricType_COUNTER, 0},
		{"dhcpagent_frames_received_total", nil, dto.MetricType_COUNTER, -1},
		{"go_goroutines", nil, dto.MetricType_GAUGE, -1},
	} {
		f, ok := fams[c.name]
		if !ok {
			t.Errorf("%s missing from /metrics", c.name)
			continue
		}
		if f.GetType() != c.typ {
			t.Errorf("%s is a %v, want %v", c.name, f.GetType(), c.typ)
		}
		v, ok := metricValue(fams, c.name, c.labels)
		switch {
		case !ok:
			t.Errorf("%s%v: no series", c.name, c.labels)
		case c.want >= 0 && int64(v) != int64(c.want):
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, v, c.want)
		case c.want < 0 && v < 1:
			t.Errorf("%s%v = %v, want at least 1", c.name, c.labels, v)
		}
	}
	if t.Failed() {
		var names []string
		for n := range fams {
			names = append(names, n)
		}
		t.Logf("families: %s", strings.Join(names, " "))
	}
}
