package agent

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/hostname"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// Options configure Run.
type Options struct {
	Socket   string
	StateDir string
	// ConfigPath is re-read on SIGHUP; Config is its content at start.
	ConfigPath string
	Config     *config.Config
	// InsecureConfig re-reads ConfigPath even when another user could
	// have written it (agent --insecure-config: config.LoadUntrusted).
	InsecureConfig bool
	// Hook is the event hook's path.
	Hook string
	Log  *zap.Logger
	// TestHooks enables commands that exist only for tests.
	TestHooks bool
	// Metrics, when set, is the address /metrics and /debug/pprof are
	// served on.
	Metrics string
}

// shutdownWait bounds the drops (and their hooks) at SIGTERM: a hook may
// run 58 s (SPEC §5). adminShutdownWait is the part the admin actor's
// removals of temporary static addresses may take first.
const (
	shutdownWait      = 70 * time.Second
	adminShutdownWait = 10 * time.Second
	// serverWait bounds, after the actors' stop, the writing of the
	// answers still in flight (SHUTDOWN, or what the stop answered): a
	// caller that does not read its reply cannot hold the exit longer.
	serverWait = 2 * time.Second
)

// Run serves until ctx is done, then drops (or releases) every interface,
// waits for their hooks and returns. It returns an error, and leaves every
// interface as it is, when the manager or the IPC actor has stopped for
// good (tree.lost).
func Run(ctx context.Context, o Options) error {
	// SIGHUP is caught before the socket appears, so that a reload asked
	// for while the agent is still starting is served, not fatal.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ln, closeSocket, err := listen(o.Socket)
	if err != nil {
		return err
	}
	defer closeSocket()
	st, err := store.Open(o.StateDir, storeWarn(o.Log, o.StateDir))
	if err != nil {
		return err
	}
	socks, err := openSockets()
	if err != nil {
		return err
	}
	defer socks.close()
	readErr := make(chan error, 2)
	socks.serve(readErr)

	hooks := &hook.Runner{Path: o.Hook}
	env, err := newEnv(o, st, socks, hooks)
	if err != nil {
		return err
	}
	resolver, err := openDNS(o)
	if err != nil {
		return err
	}
	if resolver != nil {
		env.DNS = resolver
	}
	var ask statusAsker // set once the manager runs; read by the metrics and the service
	// The control server exists from here, its counters read by the
	// metrics; it gets its handlers and starts serving below.
	srv := &ipc.Server{Log: o.Log}
	mx := instrument(o, env, socks.disp, socks.raw, &ask, srv, st, hooks)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	// The conflict check's address table holds the host's list before
	// any interface resumes, and the address watch keeps it current.
	if !startAddrWatch(watchCtx, o.Log, &env.HostAddrs, kernelAddrs(socks.nl.Addrs), firstResubscribe, kernel.Timeout) {
		o.Log.Warn("the host's addresses are not read yet: until the address watch has them, the conflict check knows only the agent's own",
			zap.Duration("waited", kernel.Timeout))
	}
	t, err := spawnTree(env, o)
	if err != nil {
		return err
	}
	defer t.system.Shutdown()
	defer stopWatch() // the watchers end before the actors, as at SIGTERM
	root, manager := t.system.Root, t.manager
	ask = statusAsker{root, manager}

	go watchLinks(watchCtx, o.Log, func(m *messages.Link) { root.Send(manager, m) })
	go watchClock(watchCtx, o.Log, func() { root.Send(manager, &messages.ClockJump{}) })
	go reloadOnHUP(watchCtx, hup, o, env, func() { root.Send(manager, &messages.Reconfigure{}) })
	if mx != nil {
		if err := serveMetrics(watchCtx, o.Metrics, o.Log, mx); err != nil {
			return err
		}
	}

	var stopping atomic.Bool
	o.Log.Info("agent started", zap.String("socket", o.Socket), zap.String("state_dir", o.StateDir))
	srv.Handler = func(ctx context.Context, c ipc.Caller, req *ipc.Request) *ipc.Reply {
		if stopping.Load() {
			// SPEC §3: after SIGTERM, SHUTDOWN at once; nothing the
			// request asks for is configured.
			return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
		}
		return control.Forward(ctx, root, t.ipcPID, c, req)
	}
	srv.Watch = func(ipc.Caller, *ipc.Request) (<-chan *ipc.Event, func()) {
		return env.Events.Subscribe()
	}
	ctl := serveControl(srv, ln)
	defer ctl.cancel()
	go superviseService(watchCtx, o.Log, o.Socket, ask, env.Events.Subscribe)

	var lost *actor.PID
	select {
	case <-ctl.done:
		err = ctl.err
	case err = <-readErr:
		err = fmt.Errorf("receive path: %w", err)
	case lost = <-t.lost:
		err = fmt.Errorf("the %s actor stopped for good after repeated failures; every interface is left as it is for the next start", lost.Id)
	case <-ctx.Done():
	}
	stopping.Store(true)
	if lost == nil {
		notifyStopping(o.Log)
	} else {
		// No STOPPING=1: to systemd this is a failure, as a crash is,
		// and Restart=on-failure starts the agent again.
		notifier{log: o.Log}.notify("STATUS=" + err.Error())
	}
	stopWatch()
	t.stop(lost, o.Config.Bool("", "RELEASE_ON_SIGTERM"), o.Log)
	waitHooks(hooks, o.Log)
	if resolver != nil {
		// What is pending is applied: once every interface has been
		// given up, the resolver as the agent found it; with the
		// interfaces left as they are (lost), as their leases have it.
		resolver.Close(dnsCloseWait)
	}
	if werr := ctl.stop(serverWait); werr != nil {
		o.Log.Warn("control replies not all written at exit", zap.Error(werr))
	}
	o.Log.Info("agent stopped")
	return err
}

// controlServer is the control server's run on the agent's socket.
type controlServer struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the server's Run has returned
	err    error         // what it returned; read after done
}

func serveControl(srv *ipc.Server, ln *net.UnixListener) *controlServer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &controlServer{cancel: cancel, done: make(chan struct{})}
	go func() {
		c.err = srv.Run(ctx, ln)
		close(c.done)
	}()
	return c
}

// stop ends the server, its in-flight requests answered SHUTDOWN
// (control.Forward), and waits up to wait for it: ipc.Server.Run returns
// once every connection's reply is written. Without the wait the agent
// could exit before the answers its stop gave were on the wire, and a
// caller got none (SPEC §3: every command gets exactly one answer).
func (c *controlServer) stop(wait time.Duration) error {
	c.cancel()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-c.done:
		return nil
	case <-t.C:
		return fmt.Errorf("the control server still writing after %v", wait)
	}
}

// newEnv is what the actors are given: the sockets, the store, the hook
// runner, the host's identity and the host name keeper.
func newEnv(o Options, st *store.Store, s *sockets, hooks *hook.Runner) (*actors.Env, error) {
	duid, iaid, err := hostIdentity(st, o.Log)
	if err != nil {
		return nil, err
	}
	env := &actors.Env{
		Clock:     clock.Real{},
		Sender:    sender{s.raw, s.udp, s.arp},
		Router:    s.disp,
		ARP:       s.arp,
		Net:       s.nl,
		Links:     netLinks{s.nl},
		Admin:     s.nl,
		Log:       o.Log,
		DUID:      duid,
		IAID:      iaid,
		Events:    ipc.NewBus(),
		Store:     st,
		Hooks:     hooks,
		TestHooks: o.TestHooks,
		HostName:  &hostname.Keeper{},
	}
	env.Config.Store(o.Config)
	return env, nil
}

// waitHooks waits, within shutdownWait, for the hooks of the events the
// shutdown caused.
func waitHooks(hooks *hook.Runner, log *zap.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := hooks.Wait(ctx); err != nil {
		log.Error("hooks still running", zap.Error(err))
	}
}
