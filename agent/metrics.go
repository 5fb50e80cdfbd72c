package agent

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"

	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/metrics"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// instrument sets up --metrics (SPEC §7): the metrics read the transport's
// counters and the interfaces' statuses (through ask, set once the manager
// runs), and env's sender and router are wrapped to count messages by type
// and time exchanges. Without --metrics it returns nil and wraps nothing.
func instrument(o Options, env *actors.Env, disp *transport.Dispatcher, raw *transport.Raw, ask *statusAsker, srv *ipc.Server, st *store.Store, hooks *hook.Runner) *metrics.Metrics {
	if o.Metrics == "" {
		return nil
	}
	names := newIfNames()
	m := metrics.New(metrics.Options{
		// ask is set once the manager runs: read it at each scrape.
		Statuses: func(ctx context.Context) ([]messages.IfStatus, error) { return ask.Statuses(ctx) },
		Transport: func() metrics.Transport {
			d, r := disp.Stats(), raw.Stats()
			return metrics.Transport{
				FramesReceived: d.Received, FramesMalformed: d.Malformed, FramesUnmatched: d.Unmatched,
				FramesDuplicate: d.Duplicates, BroadcastsSent: r.Sent, BroadcastsDropped: r.Dropped,
				SendErrors: r.Errors, WatchEventsDropped: env.Events.Dropped(),
			}
		},
		IPCRefused:    srv.Refused,
		StateProblems: st.Counts,
		HooksRefused:  hooks.Refused,
		Name:          names.name,
	})
	env.Sender = meteredSender{env.Sender, m}
	env.Router = meteredRouter{env.Router, m}
	return m
}

// meteredSender counts every DHCP message sent.
type meteredSender struct {
	transport.Sender
	m *metrics.Metrics
}

func (s meteredSender) Broadcast(ifindex int, from netip.Addr, b []byte) error {
	s.m.Sent(ifindex, b)
	return s.Sender.Broadcast(ifindex, from, b)
}

func (s meteredSender) Unicast(ifindex int, from, to netip.Addr, b []byte) error {
	s.m.Sent(ifindex, b)
	return s.Sender.Unicast(ifindex, from, to, b)
}

// meteredRouter counts every reply delivered to a transaction, on the
// receiving goroutine, and ends an exchange's timing with its binding.
type meteredRouter struct {
	transport.Router
	m *metrics.Metrics
}

func (r meteredRouter) Bind(xid uint32, ifindex int, hw net.HardwareAddr, deliver transport.Deliver) error {
	return r.Router.Bind(xid, ifindex, hw, func(msg *dhcpv4.DHCPv4, err error) {
		if msg != nil {
			r.m.Received(ifindex, msg)
		}
		deliver(msg, err)
	})
}

func (r meteredRouter) Unbind(xid uint32, hw net.HardwareAddr) {
	r.m.Done(xid)
	r.Router.Unbind(xid, hw)
}

var (
	_ transport.Sender = meteredSender{}
	_ transport.Router = meteredRouter{}
)

// serveMetrics serves --metrics ADDR (SPEC §1, off by default): /metrics
// in the Prometheus formats, and Go's profiles at /debug/pprof/ for
// looking into a busy agent. It stops with ctx.
func serveMetrics(ctx context.Context, addr string, log *zap.Logger, m *metrics.Metrics) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error("metrics server stopped", zap.Error(err))
		}
	}()
	log.Info("metrics served", zap.String("addr", ln.Addr().String()))
	return nil
}
