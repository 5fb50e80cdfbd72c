package agent

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/transport"
	"go.uber.org/zap"
)

// serveMetrics serves --metrics ADDR (SPEC §1, off by default): counters
// in the Prometheus text format at /metrics, and Go's profiles at
// /debug/pprof/ for looking into a busy agent. It stops with ctx.
func serveMetrics(ctx context.Context, addr string, log *zap.Logger, disp *transport.Dispatcher,
	raw *transport.Raw, bus *actors.Bus) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		d, r := disp.Stats(), raw.Stats()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		for _, c := range []struct {
			name, help string
			v          uint64
		}{
			{"dhcpagent_frames_received_total", "Frames the packet socket's filter passed.", d.Received},
			{"dhcpagent_frames_malformed_total", "Frames that were not a well-formed DHCP reply.", d.Malformed},
			{"dhcpagent_frames_unmatched_total", "Replies for no transaction of ours.", d.Unmatched},
			{"dhcpagent_frames_duplicate_total", "Copies of broadcast replies received on other interfaces than their transaction's.", d.Duplicates},
			{"dhcpagent_broadcasts_sent_total", "Broadcasts sent through the packet socket.", r.Sent},
			{"dhcpagent_broadcasts_dropped_total", "Broadcasts dropped because the send queue was full.", r.Dropped},
			{"dhcpagent_send_errors_total", "Failed transmissions and recovered panics of the receive path.", r.Errors},
			{"dhcpagent_watch_events_dropped_total", "Events lost by watchers that did not keep up.", bus.Dropped()},
			{"dhcpagent_goroutines", "Goroutines.", uint64(runtime.NumGoroutine())},
			{"dhcpagent_heap_bytes", "Heap in use.", m.HeapInuse},
		} {
			fmt.Fprintf(w, "# HELP %s %s\n%s %d\n", c.name, c.help, c.name, c.v)
		}
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
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
