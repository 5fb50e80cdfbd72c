package metrics

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// scrape serves /metrics once and parses it with the Prometheus text parser.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value is the value of the series of name with the given labels; ok is
// false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if got[k] != v {
				continue next
			}
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

func TestInterfaceMetrics(t *testing.T) {
	began := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	t1, t2, exp := began.Add(5*time.Minute), began.Add(8*time.Minute), began.Add(10*time.Minute)
	m := New(Options{
		Statuses: func(context.Context) ([]messages.IfStatus, error) {
			return []messages.IfStatus{
				{Ifname: "eth0", State: lease.Bound, Primary: true, Addr: netip.MustParsePrefix("198.18.0.100/24"),
					Began: began, T1: t1, T2: t2, Expires: exp, Counters: lease.Counters{BadOffers: 3, Declined: 1,
						Refused: func() (r [lease.NumReasons]uint64) { r[lease.ReasonBadRoute] = 4; return r }()}},
				{Ifname: "eth1", State: lease.Bound, Addr: netip.MustParsePrefix("198.18.1.100/24"), Began: began}, // infinite
				{Ifname: "eth2", Failed: true},
			}, nil
		},
		Transport: func() Transport { return Transport{FramesReceived: 7, BroadcastsDropped: 2} },
	})
	fams := scrape(t, m)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"dhcpagent_interface_state", map[string]string{"iface": "eth0", "state": "BOUND"}, 1},
		{"dhcpagent_interface_state", map[string]string{"iface": "eth2", "state": "FAILED"}, 1},
		{"dhcpagent_interface_primary", map[string]string{"iface": "eth0"}, 1},
		{"dhcpagent_interface_primary", map[string]string{"iface": "eth1"}, 0},
		{"dhcpagent_lease_expiry_timestamp_seconds", map[string]string{"iface": "eth0"}, float64(exp.Unix())},
		{"dhcpagent_lease_renewal_timestamp_seconds", map[string]string{"iface": "eth0"}, float64(t1.Unix())},
		{"dhcpagent_lease_rebinding_timestamp_seconds", map[string]string{"iface": "eth0"}, float64(t2.Unix())},
		{"dhcpagent_lease_start_timestamp_seconds", map[string]string{"iface": "eth0"}, float64(began.Unix())},
		{"dhcpagent_lease_expiry_timestamp_seconds", map[string]string{"iface": "eth1"}, math.Inf(1)},
		{"dhcpagent_bad_offers_total", map[string]string{"iface": "eth0"}, 3},
		{"dhcpagent_declines_total", map[string]string{"iface": "eth0"}, 1},
		{"dhcpagent_refused_total", map[string]string{"iface": "eth0", "reason": "bad_route"}, 4},
		{"dhcpagent_frames_received_total", nil, 7},
		{"dhcpagent_broadcasts_dropped_total", nil, 2},
		{"dhcpagent_status_scrape_failures_total", nil, 0},
	} {
		if got, ok := value(fams, tc.name, tc.labels); !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if _, ok := value(fams, "dhcpagent_refused_total", map[string]string{"iface": "eth0", "reason": "nak"}); ok {
		t.Error("a reason never seen has a series")
	}
	if _, ok := value(fams, "dhcpagent_lease_expiry_timestamp_seconds", map[string]string{"iface": "eth2"}); ok {
		t.Error("an interface without a lease has an expiry")
	}
	for _, name := range []string{"go_goroutines", "process_open_fds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("runtime collector metric %s missing", name)
		}
	}
	if f := fams["dhcpagent_interface_state"]; f.GetType() != dto.MetricType_GAUGE {
		t.Errorf("dhcpagent_interface_state is a %v", f.GetType())
	}
}

// A scrape whose status query fails leaves the interfaces out and counts it.
func TestInterfaceMetricsUnanswered(t *testing.T) {
	m := New(Options{ScrapeWait: 10 * time.Millisecond, Statuses: func(ctx context.Context) ([]messages.IfStatus, error) {
		<-ctx.Done() // the deadline is what ends a wedged query
		return nil, errors.New("no answer")
	}})
	fams := scrape(t, m)
	if got, _ := value(fams, "dhcpagent_status_scrape_failures_total", nil); got != 1 {
		t.Errorf("failures = %v, want 1", got)
	}
	if _, ok := fams["dhcpagent_interface_state"]; ok {
		t.Error("interface series without statuses")
	}
}

func TestMessagesAndLatency(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	names := map[int]string{2: "eth0", 3: "eth1"}
	m := New(Options{Now: func() time.Time { return now }, Name: func(i int) string { return names[i] }})

	reply := func(typ dhcpv4.MessageType) *dhcpv4.DHCPv4 {
		r, _ := dhcpv4.FromBytes(message(t, typ, nil))
		return r
	}
	m.Sent(2, message(t, dhcpv4.MessageTypeDiscover, nil))
	now = now.Add(time.Second)
	m.Sent(2, message(t, dhcpv4.MessageTypeDiscover, nil)) // retransmission: same exchange
	m.Received(2, reply(dhcpv4.MessageTypeOffer))
	m.Sent(2, message(t, dhcpv4.MessageTypeRequest, nil))
	now = now.Add(200 * time.Millisecond)
	m.Received(2, reply(dhcpv4.MessageTypeAck))
	m.Received(2, reply(dhcpv4.MessageTypeAck)) // a duplicate is counted, not timed again
	m.Sent(3, message(t, dhcpv4.MessageTypeRequest, net.IPv4(198, 18, 0, 9)))
	m.Received(3, reply(dhcpv4.MessageTypeNak))
	m.Sent(9, message(t, dhcpv4.MessageTypeRelease, net.IPv4(198, 18, 0, 9)))

	fams := scrape(t, m)
	got := map[string]float64{}
	for _, k := range []struct{ name, iface, typ string }{
		{"dhcpagent_messages_sent_total", "eth0", "DISCOVER"},
		{"dhcpagent_messages_sent_total", "eth0", "REQUEST"},
		{"dhcpagent_messages_sent_total", "eth1", "REQUEST"},
		{"dhcpagent_messages_sent_total", "unknown", "RELEASE"},
		{"dhcpagent_messages_received_total", "eth0", "OFFER"},
		{"dhcpagent_messages_received_total", "eth0", "ACK"},
		{"dhcpagent_messages_received_total", "eth1", "NAK"},
	} {
		v, _ := value(fams, k.name, map[string]string{"iface": k.iface, "type": k.typ})
		got[k.name+"/"+k.iface+"/"+k.typ] = v
	}
	want := map[string]float64{
		"dhcpagent_messages_sent_total/eth0/DISCOVER":   2,
		"dhcpagent_messages_sent_total/eth0/REQUEST":    1,
		"dhcpagent_messages_sent_total/eth1/REQUEST":    1,
		"dhcpagent_messages_sent_total/unknown/RELEASE": 1,
		"dhcpagent_messages_received_total/eth0/OFFER":  1,
		"dhcpagent_messages_received_total/eth0/ACK":    2,
		"dhcpagent_messages_received_total/eth1/NAK":    1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	// The test messages share an xid: the DISCOVER opened an exchange that
	// the first ACK ended after 1.2 s (the duplicate ACK found it gone);
	// the renewal's REQUEST opened the next, ended by the NAK at once.
	for _, tc := range []struct {
		kind, result string
		sum          float64
	}{{"acquire", "ack", 1.2}, {"renew", "nak", 0}} {
		var h *dto.Histogram
		for _, mm := range fams["dhcpagent_transaction_duration_seconds"].GetMetric() {
			l := map[string]string{}
			for _, p := range mm.Label {
				l[p.GetName()] = p.GetValue()
			}
			if l["kind"] == tc.kind && l["result"] == tc.result {
				h = mm.Histogram
			}
		}
		if h == nil || h.GetSampleCount() != 1 || math.Abs(h.GetSampleSum()-tc.sum) > 1e-9 {
			t.Errorf("latency %s/%s: %v; want 1 sample of %v s", tc.kind, tc.result, h, tc.sum)
		}
	}
}
