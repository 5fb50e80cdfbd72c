package agent

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"os/user"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/hostname"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/dhcpagent/dhcpagent/transport"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
)

// Options configure Run.
type Options struct {
	Socket   string
	StateDir string
	// ConfigPath is re-read on SIGHUP; Config is its content at start.
	ConfigPath string
	Config     *config.Config
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
// run 58 s (SPEC §5).
const shutdownWait = 70 * time.Second

// Run serves until ctx is done, then drops (or releases) every interface,
// waits for their hooks and returns.
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
	st, err := store.Open(o.StateDir)
	if err != nil {
		return err
	}
	st.Corrupt = func(aside string, err error) {
		o.Log.Warn("corrupt state file set aside", zap.String("file", aside), zap.Error(err))
	}

	raw, err := transport.ListenRaw(transport.DefaultRawConfig)
	if err != nil {
		return err
	}
	defer raw.Close()
	udp, err := transport.ListenUDP()
	if err != nil {
		return err
	}
	defer udp.Close()
	arp, err := transport.ListenARP()
	if err != nil {
		return err
	}
	defer arp.Close()
	nl, err := transport.NewNetlink()
	if err != nil {
		return err
	}
	defer nl.Close()

	disp := transport.NewDispatcher()
	readErr := make(chan error, 2)
	go func() { readErr <- raw.Serve(disp.Dispatch) }()
	go func() { readErr <- arp.Serve() }()

	duid, iaid, err := hostIdentity(st, o.Log)
	if err != nil {
		return err
	}
	hooks := &hook.Runner{Path: o.Hook}
	env := &actors.Env{
		Clock:     actors.SystemClock{},
		Sender:    sender{raw, udp, arp},
		Router:    disp,
		ARP:       arp,
		Net:       nl,
		Links:     actors.NetLinks{N: nl},
		Admin:     nl,
		Log:       o.Log,
		DUID:      duid,
		IAID:      iaid,
		Events:    actors.NewBus(),
		Store:     st,
		Hooks:     hooks,
		TestHooks: o.TestHooks,
	}
	env.Config.Store(o.Config)
	resolver, err := openDNS(o)
	if err != nil {
		return err
	}
	if resolver != nil {
		env.DNS = resolver
	}
	env.HostName = &hostname.Keeper{}
	var ask statusAsker // set once the manager runs; read by the metrics and the service
	mx := instrument(o, env, disp, raw, &ask)
	system := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger {
			return slog.New(zapslog.NewHandler(o.Log.Core(), zapslog.WithName("protoactor")))
		})))
	defer system.Shutdown()
	manager, err := system.Root.SpawnNamed(actors.ManagerProps(env), "ifaces")
	if err != nil {
		return fmt.Errorf("start manager: %w", err)
	}
	ask = statusAsker{system.Root, manager}
	adminGID, err := adminGroup(o.Config)
	if err != nil {
		return err
	}
	admin, err := system.Root.SpawnNamed(actors.AdminProps(env, manager), "ipadm")
	if err != nil {
		return fmt.Errorf("start admin actor: %w", err)
	}
	ipcPID, err := system.Root.SpawnNamed(actors.IPCProps(manager, admin, o.Log, adminGID), "ipc")
	if err != nil {
		return fmt.Errorf("start IPC actor: %w", err)
	}

	watchCtx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go watchLinks(watchCtx, o.Log, func(m *messages.Link) { system.Root.Send(manager, m) })
	go watchClock(watchCtx, o.Log, func() { system.Root.Send(manager, &messages.ClockJump{}) })
	go reloadOnHUP(watchCtx, hup, o, env, func() { system.Root.Send(manager, &messages.Reconfigure{}) })
	if mx != nil {
		if err := serveMetrics(watchCtx, o.Metrics, o.Log, mx); err != nil {
			return err
		}
	}

	var stopping atomic.Bool
	o.Log.Info("agent started", zap.String("socket", o.Socket), zap.String("state_dir", o.StateDir))
	srv := &ipc.Server{
		Log: o.Log,
		Handler: func(ctx context.Context, c ipc.Caller, req *ipc.Request) *ipc.Reply {
			if stopping.Load() {
				// SPEC §3: after SIGTERM, SHUTDOWN at once; nothing the
				// request asks for is configured.
				return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
			}
			return actors.Forward(ctx, system.Root, ipcPID, c, req)
		},
		Watch: func(ipc.Caller, *ipc.Request) (<-chan *ipc.Event, func()) {
			return env.Events.Subscribe()
		},
	}
	serveCtx, stopServing := context.WithCancel(context.Background())
	defer stopServing()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Run(serveCtx, ln) }()
	go superviseService(watchCtx, o.Log, o.Socket, ask, env.Events.Subscribe)

	select {
	case err = <-serveErr:
	case err = <-readErr:
		err = fmt.Errorf("receive path: %w", err)
	case <-ctx.Done():
	}
	stopping.Store(true)
	notifyStopping(o.Log)
	stopWatch()
	shutdown(system, admin, manager, hooks, o)
	if resolver != nil {
		// Every interface has been given up: the resolver is left as the
		// agent found it.
		resolver.Close(dnsCloseWait)
	}
	stopServing()
	o.Log.Info("agent stopped")
	return err
}

// shutdown removes the temporary static addresses, drops every interface,
// or releases it with RELEASE_ON_SIGTERM, and waits for the hooks (SPEC §2).
func shutdown(system *actor.ActorSystem, admin, manager *actor.PID, hooks *hook.Runner, o Options) {
	release := o.Config.Bool("", "RELEASE_ON_SIGTERM")
	o.Log.Info("stopping: giving up every interface", zap.Bool("release", release))
	ctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	for _, pid := range []*actor.PID{admin, manager} {
		done := make(chan *messages.Result, 1)
		system.Root.Send(pid, &messages.Shutdown{Release: release, Reply: done})
		select {
		case <-done:
		case <-ctx.Done():
			o.Log.Error("interfaces did not stop in time", zap.String("actor", pid.Id))
		}
	}
	ctx, cancel = context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := hooks.Wait(ctx); err != nil {
		o.Log.Error("hooks still running", zap.Error(err))
	}
}

// reloadOnHUP re-reads the configuration on SIGHUP. A file that does not
// parse leaves the running configuration in place (SPEC §1).
func reloadOnHUP(ctx context.Context, hup <-chan os.Signal, o Options, env *actors.Env, changed func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		cfg, err := config.Load(o.ConfigPath)
		if err != nil {
			o.Log.Error("configuration not reloaded; keeping the old one", zap.Error(err))
			continue
		}
		env.Config.Store(cfg)
		o.Log.Info("configuration reloaded", zap.String("config", o.ConfigPath))
		changed()
	}
}

// sender sends broadcasts through the shared packet socket, unicasts
// through the UDP socket and ARP through the ARP socket.
type sender struct {
	raw *transport.Raw
	udp *transport.UDP
	arp *transport.ARP
}

func (s sender) Broadcast(ifindex int, from netip.Addr, b []byte) error {
	return s.raw.Broadcast(ifindex, from, b)
}

func (s sender) Unicast(ifindex int, from, to netip.Addr, b []byte) error {
	return s.udp.Unicast(ifindex, from, to, b)
}

func (s sender) ARP(ifindex int, p transport.ARPPacket) error { return s.arp.Send(ifindex, p) }

// adminGroup resolves ADMIN_GROUP to a gid, or -1 when it is not set.
func adminGroup(c *config.Config) (int64, error) {
	name := c.Get("", "ADMIN_GROUP")
	if name == "" {
		return -1, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("ADMIN_GROUP: %w", err)
	}
	gid, err := strconv.ParseInt(g.Gid, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ADMIN_GROUP %s: gid %q: %w", name, g.Gid, err)
	}
	return gid, nil
}
