package metrics

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Limits: what an attacker who makes links come and go, or a burst of
// transactions, can make the metrics hold.
const (
	// maxIfaces bounds the interface label's values in the message
	// counters; past it, messages are counted under iface="other".
	maxIfaces = 4096
	// maxPending bounds the exchanges being timed.
	maxPending = 8192
	// defaultScrapeWait bounds the wait for the interfaces' statuses.
	defaultScrapeWait = 2 * time.Second
)

// Options configure New. Every func is called on the scraping goroutine.
type Options struct {
	// Statuses returns every managed interface's status, as `agentctl
	// status` does, within ctx.
	Statuses func(ctx context.Context) ([]messages.IfStatus, error)
	// Transport returns the shared transport's counters.
	Transport func() Transport
	// IPCRefused returns the control socket's refusals by reason.
	IPCRefused func() map[string]uint64
	// StateProblems returns the state dir's problems by kind.
	StateProblems func() map[string]uint64
	// HooksRefused returns the event hook's refusals by reason.
	HooksRefused func() map[string]uint64
	// Name returns the interface name of an ifindex ("" when unknown).
	Name func(ifindex int) string
	// Now is the clock for latencies; nil means time.Now.
	Now func() time.Time
	// ScrapeWait bounds a scrape's wait for the statuses (default 2 s).
	ScrapeWait time.Duration
}

// Metrics holds the agent's metrics. Its methods are safe for concurrent
// use and never block on anything but a short mutex.
type Metrics struct {
	reg      *prometheus.Registry
	opts     Options
	sent     *prometheus.CounterVec
	received *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	mu      sync.Mutex
	ifaces  map[string]bool     // label values in use
	pending map[uint32]exchange // by xid: the first message's time and kind
}

// exchange is a transaction being timed.
type exchange struct {
	kind  string
	began time.Time
}

// New registers every collector on a registry of its own.
func New(o Options) *Metrics {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ScrapeWait <= 0 {
		o.ScrapeWait = defaultScrapeWait
	}
	m := &Metrics{
		reg:  prometheus.NewRegistry(),
		opts: o,
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dhcpagent_messages_sent_total",
			Help: "DHCP messages handed to the transport, by interface and message type.",
		}, []string{"iface", "type"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dhcpagent_messages_received_total",
			Help: "DHCP replies delivered to an interface's transaction, by interface and message type.",
		}, []string{"iface", "type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dhcpagent_transaction_duration_seconds",
			Help: "From an exchange's first message to the ACK or NAK that ends it, by kind " +
				"(acquire: DISCOVER..ACK, reboot: INIT-REBOOT, renew: RENEWING or REBINDING, inform) and result.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"kind", "result"}),
		ifaces:  make(map[string]bool),
		pending: make(map[uint32]exchange),
	}
	m.reg.MustRegister(m.sent, m.received, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.Statuses != nil {
		m.reg.MustRegister(newIfaceCollector(o.Statuses, o.ScrapeWait))
	}
	if o.Transport != nil {
		m.reg.MustRegister(transportCollector{o.Transport})
	}
	if o.IPCRefused != nil {
		m.reg.MustRegister(labelledCounter{ipcRefusedDesc, o.IPCRefused})
	}
	if o.StateProblems != nil {
		m.reg.MustRegister(labelledCounter{stateProblemsDesc, o.StateProblems})
	}
	if o.HooksRefused != nil {
		m.reg.MustRegister(labelledCounter{hooksRefusedDesc, o.HooksRefused})
	}
	return m
}

// Registry is where the metrics are registered, for tests and extra
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Sent counts a DHCP message sent on ifindex and, when it opens an
// exchange (DISCOVER, a REQUEST or INFORM of a new xid), starts timing it.
func (m *Metrics) Sent(ifindex int, payload []byte) {
	s, ok := scan(payload)
	if !ok {
		return
	}
	now, name := m.opts.Now(), m.name(ifindex)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent.WithLabelValues(m.labelLocked(name), s.typ.String()).Inc()
	var kind string
	switch {
	case s.typ == dhcpv4.MessageTypeDiscover:
		kind = "acquire"
	case s.typ == dhcpv4.MessageTypeRequest && s.ciaddr:
		kind = "renew"
	case s.typ == dhcpv4.MessageTypeRequest:
		kind = "reboot" // a REQUEST after a DISCOVER keeps its xid: timed as acquire
	case s.typ == dhcpv4.MessageTypeInform:
		kind = "inform"
	default:
		return
	}
	if _, timing := m.pending[s.xid]; !timing && len(m.pending) < maxPending {
		m.pending[s.xid] = exchange{kind: kind, began: now}
	}
}

// Received counts a reply delivered to the transaction on ifindex, and an
// ACK or NAK ends the timing of its exchange.
func (m *Metrics) Received(ifindex int, msg *dhcpv4.DHCPv4) {
	typ := msg.MessageType()
	now, name := m.opts.Now(), m.name(ifindex)
	xid := uint32(msg.TransactionID[0])<<24 | uint32(msg.TransactionID[1])<<16 |
		uint32(msg.TransactionID[2])<<8 | uint32(msg.TransactionID[3])
	m.mu.Lock()
	defer m.mu.Unlock()
	m.received.WithLabelValues(m.labelLocked(name), typ.String()).Inc()
	if typ != dhcpv4.MessageTypeAck && typ != dhcpv4.MessageTypeNak {
		return
	}
	if ex, ok := m.pending[xid]; ok {
		delete(m.pending, xid)
		result := "ack"
		if typ == dhcpv4.MessageTypeNak {
			result = "nak"
		}
		m.latency.WithLabelValues(ex.kind, result).Observe(now.Sub(ex.began).Seconds())
	}
}

// Done forgets the exchange of xid: its transaction ended without an ACK
// or NAK (timeout, drop), or has been timed already.
func (m *Metrics) Done(xid uint32) {
	m.mu.Lock()
	delete(m.pending, xid)
	m.mu.Unlock()
}

// name is the interface name of ifindex, called without the mutex.
func (m *Metrics) name(ifindex int) string {
	if m.opts.Name == nil {
		return ""
	}
	return m.opts.Name(ifindex)
}

// labelLocked is the iface label for name, within maxIfaces values.
func (m *Metrics) labelLocked(name string) string {
	if name == "" {
		return "unknown"
	}
	if !m.ifaces[name] {
		if len(m.ifaces) >= maxIfaces {
			return "other"
		}
		m.ifaces[name] = true
	}
	return name
}
