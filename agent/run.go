package agent

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
)

// Options configure Run.
type Options struct {
	Socket   string
	StateDir string
	Log      *zap.Logger
	Config   *config.Config
}

// Run serves until ctx is done.
func Run(ctx context.Context, o Options) error {
	ln, closeSocket, err := listen(o.Socket)
	if err != nil {
		return err
	}
	defer closeSocket()
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
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
	nl, err := transport.NewNetlink()
	if err != nil {
		return err
	}
	defer nl.Close()

	arp, err := transport.ListenARP()
	if err != nil {
		return err
	}
	defer arp.Close()

	disp := transport.NewDispatcher()
	readErr := make(chan error, 2)
	go func() { readErr <- raw.Serve(disp.Dispatch) }()
	go func() { readErr <- arp.Serve() }()

	env := &actors.Env{
		Clock:  actors.SystemClock{},
		Sender: sender{raw, udp, arp},
		Router: disp,
		ARP:    arp,
		DUID:   hostDUID(o.Log),
		Events: actors.NewBus(),
		Net:    nl,
		Links:  actors.NetLinks{},
		Log:    o.Log,
		Config: o.Config,
	}
	system := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger {
			return slog.New(zapslog.NewHandler(o.Log.Named("protoactor").Core()))
		})))
	defer system.Shutdown()
	manager, err := system.Root.SpawnNamed(actors.ManagerProps(env), "ifaces")
	if err != nil {
		return fmt.Errorf("start manager: %w", err)
	}
	adminGID, err := adminGroup(o.Config)
	if err != nil {
		return err
	}
	ipcPID, err := system.Root.SpawnNamed(actors.IPCProps(manager, o.Log, adminGID), "ipc")
	if err != nil {
		return fmt.Errorf("start IPC actor: %w", err)
	}

	o.Log.Info("agent started", zap.String("socket", o.Socket), zap.String("state_dir", o.StateDir))
	srv := &ipc.Server{
		Log: o.Log,
		Handler: func(ctx context.Context, c ipc.Caller, req *ipc.Request) *ipc.Reply {
			return forward(ctx, system.Root, ipcPID, c, req)
		},
		Watch: func(ctx context.Context, _ ipc.Caller, _ *ipc.Request, emit func(*ipc.Event) error) {
			events, stop := env.Events.Subscribe()
			defer stop()
			for {
				select {
				case ev := <-events:
					if emit(ev) != nil {
						return
					}
				case <-ctx.Done():
					return
				}
			}
		},
	}
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Run(serveCtx, ln) }()

	select {
	case err = <-serveErr:
	case err = <-readErr:
		err = fmt.Errorf("receive path: %w", err)
	case <-ctx.Done():
		err = nil
	}
	stop()
	if e := system.Root.PoisonFuture(manager).Wait(); e != nil {
		o.Log.Warn("stopping interface actors", zap.Error(e))
	}
	o.Log.Info("agent stopped")
	return err
}

// forward hands a request to the IPC actor and waits, on this connection's
// goroutine, for the reply or for the request's wait to run out. A TIMEOUT
// leaves the transaction running; its late reply is dropped.
func forward(ctx context.Context, root *actor.RootContext, ipcPID *actor.PID, c ipc.Caller, req *ipc.Request) *ipc.Reply {
	reply := make(chan *ipc.Reply, 1)
	root.Send(ipcPID, &messages.Command{Caller: c, Req: req, Reply: reply})
	var expired <-chan time.Time
	if d, ok := req.Wait(); ok {
		t := time.NewTimer(d)
		defer t.Stop()
		expired = t.C
	}
	select {
	case r := <-reply:
		r.ID = req.ID
		return r
	case <-expired:
		return ipc.Fail(req, ipc.ErrTimeout, "%s on %s still in progress", req.Command, req.Ifname)
	case <-ctx.Done():
		return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
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

func (s sender) ARP(ifindex int, p transport.ARPPacket) error { return s.arp.Send(ifindex, p) }

func (s sender) Unicast(ifindex int, from, to netip.Addr, b []byte) error {
	return s.udp.Unicast(ifindex, from, to, b)
}

// hostDUID is the host's DUID-UUID from /etc/machine-id (RFC 6355), or nil
// when there is none; interfaces then use a DUID-LL of their own address.
func hostDUID(log *zap.Logger) []byte {
	b, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		log.Info("no machine id: CLIENT_ID=duid uses each interface's DUID-LL", zap.Error(err))
		return nil
	}
	duid, err := lease.DUIDFromMachineID(string(b))
	if err != nil {
		log.Warn("unusable machine id: CLIENT_ID=duid uses each interface's DUID-LL", zap.Error(err))
		return nil
	}
	return duid
}

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
