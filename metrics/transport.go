package metrics

import "github.com/prometheus/client_golang/prometheus"

// Transport are the shared transport's counters (transport.DispatchStats,
// transport.RawStats and the event bus), read at scrape time.
type Transport struct {
	FramesReceived, FramesMalformed, FramesUnmatched, FramesDuplicate uint64
	BroadcastsSent, BroadcastsDropped, SendErrors                     uint64
	WatchEventsDropped                                                uint64
}

// transportCollector exposes Transport as counters.
type transportCollector struct {
	read func() Transport
}

var _ prometheus.Collector = transportCollector{}

var transportDescs = []struct {
	desc *prometheus.Desc
	get  func(Transport) uint64
}{
	{prometheus.NewDesc("dhcpagent_frames_received_total", "Frames the packet socket's filter passed.", nil, nil),
		func(t Transport) uint64 { return t.FramesReceived }},
	{prometheus.NewDesc("dhcpagent_frames_malformed_total", "Frames that were not a well-formed DHCP reply.", nil, nil),
		func(t Transport) uint64 { return t.FramesMalformed }},
	{prometheus.NewDesc("dhcpagent_frames_unmatched_total", "Replies for no transaction of ours.", nil, nil),
		func(t Transport) uint64 { return t.FramesUnmatched }},
	{prometheus.NewDesc("dhcpagent_frames_duplicate_total",
		"Copies of broadcast replies received on other interfaces than their transaction's.", nil, nil),
		func(t Transport) uint64 { return t.FramesDuplicate }},
	{prometheus.NewDesc("dhcpagent_broadcasts_sent_total", "Broadcasts sent through the packet socket.", nil, nil),
		func(t Transport) uint64 { return t.BroadcastsSent }},
	{prometheus.NewDesc("dhcpagent_broadcasts_dropped_total", "Broadcasts dropped because the send queue was full.", nil, nil),
		func(t Transport) uint64 { return t.BroadcastsDropped }},
	{prometheus.NewDesc("dhcpagent_send_errors_total", "Failed transmissions and recovered panics of the receive path.", nil, nil),
		func(t Transport) uint64 { return t.SendErrors }},
	{prometheus.NewDesc("dhcpagent_watch_events_dropped_total", "Events lost by watchers that did not keep up.", nil, nil),
		func(t Transport) uint64 { return t.WatchEventsDropped }},
}

func (transportCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range transportDescs {
		ch <- d.desc
	}
}

func (c transportCollector) Collect(ch chan<- prometheus.Metric) {
	t := c.read()
	for _, d := range transportDescs {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.CounterValue, float64(d.get(t)))
	}
}
