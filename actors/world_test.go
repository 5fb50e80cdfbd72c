package actors

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock/clocktest"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/dhcpagent/dhcpagent/transport/transporttest"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

var (
	hw0      = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	hw1      = net.HardwareAddr{2, 0, 0, 0, 0, 2}
	serverIP = net.IPv4(198, 18, 0, 1)
)

// world is the agent's actors over fake transport, netlink and clock.
type world struct {
	t      *testing.T
	system *actor.ActorSystem
	ipc    *actor.PID
	clock  *clocktest.Manual
	send   *fakeSender
	net    *kerneltest.Kernel
	arp    *transporttest.ARP
	links  *fakeLinks
	disk   *heldStore // the actors' store: st, with writes a test can hold
	disp   *transport.Dispatcher
	events *ipc.Bus
	store  *store.Store
	hooks  *fakeHooks
	dns    *fakeResolver
	host   *fakeHostNamer
	env    *Env
	mgr    *actor.PID
	admin  *actor.PID
	once   sync.Once
	ended  chan struct{} // closed when the test ends
}

// up reports whether the link called name is administratively up.
func (w *world) up(name string) bool {
	w.t.Helper()
	s, err := w.net.State(name)
	if err != nil {
		w.t.Fatal(err)
	}
	return s.Up
}

// kill stops the actor system without dropping anything, as kill -9 would.
func (w *world) kill() { w.once.Do(w.system.Shutdown) }

// newWorld starts the actors with config text (SPEC §6 keys) on two
// interfaces, eth0 and eth1, with a store in a temporary directory.
func newWorld(t *testing.T, conf string) *world {
	t.Helper()
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return newWorldWith(t, conf, st, newKernel())
}

// newWorldWith starts the actors over an existing store and kernel: a
// restarted agent.
func newWorldWith(t *testing.T, conf string, st *store.Store, k *kerneltest.Kernel) *world {
	t.Helper()
	cfg, err := config.Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{
		t:     t,
		clock: clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		send:  newFakeSender(),
		net:   k,
		links: &fakeLinks{known: map[string]Link{
			"eth0": {Name: "eth0", Index: 2, HWAddr: hw0, MTU: 1500},
			"eth1": {Name: "eth1", Index: 3, HWAddr: hw1, MTU: 1500},
			"tun0": {Name: "tun0", Index: 4, MTU: 1500},
		}},
		store: st,
		disk:  &heldStore{Store: st},
		hooks: &fakeHooks{runs: make(chan hookRun, 16)},
		arp:   &transporttest.ARP{},
		disp:  transport.NewDispatcher(),
		ended: make(chan struct{}),
	}
	t.Cleanup(func() { close(w.ended) })
	env := &Env{
		Clock:     w.clock,
		Sender:    w.send,
		Router:    w.disp,
		ARP:       w.arp,
		Net:       w.net,
		Links:     w.links,
		Log:       zap.NewNop(),
		Events:    ipc.NewBus(),
		Store:     w.disk,
		TestHooks: true,
		Admin:     w.net,
		IAID:      StoredIAID(st),
	}
	env.Config.Store(cfg)
	w.net.Feed(&env.HostAddrs) // as the agent's address watch does
	if strings.Contains(conf, "# hooks") {
		env.Hooks = w.hooks
	}
	if strings.Contains(conf, "# hostname") {
		w.host = &fakeHostNamer{}
		env.HostName = w.host
	}
	if strings.Contains(conf, "# dns") {
		w.dns = &fakeResolver{}
		env.DNS = w.dns
	}
	w.events = env.Events
	w.system = actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
	w.env = env
	manager, err := w.system.Root.SpawnNamed(ManagerProps(env), "ifaces")
	w.mgr = manager
	if err != nil {
		t.Fatal(err)
	}
	admin, err := w.system.Root.SpawnNamed(AdminProps(env, manager), "ipadm")
	if err != nil {
		t.Fatal(err)
	}
	w.admin = admin
	w.ipc, err = w.system.Root.SpawnNamed(control.Props(manager, admin, zap.NewNop(), 4242), "ipc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.kill()
		w.drainRecords()
	})
	return w
}

// drainRecords waits until every recorder has written what it was asked
// to: the test's directory is removed after.
func (w *world) drainRecords() {
	for _, r := range w.env.records.All() {
		done := make(chan struct{})
		r.After(func() { close(done) })
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			w.t.Errorf("the records of %s were not written within 5 s", r.Name())
		}
	}
}

// fast is the configuration most tests use: no waits, no probe.
const fast = "SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=no\n"

// ask sends a command as uid and returns the reply channel.
func (w *world) ask(uid uint32, command, ifname string) <-chan *ipc.Reply {
	return w.wire(nil, ipc.Caller{UID: uid}, &ipc.Request{ID: 1, Command: command, Ifname: ifname})
}

// askReq sends a full request as root and returns the reply channel.
func (w *world) askReq(req *ipc.Request) <-chan *ipc.Reply {
	return w.wire(nil, ipc.Caller{}, req)
}

// wire sends req from caller to the IPC actor as control.Forward does, at
// once (control.Submit: requests arrive in the order they were asked), and
// returns the channel its reply arrives on, translated as Forward
// translates it.
// ctx is the caller's wait (nil: waits until the world ends).
func (w *world) wire(ctx context.Context, caller ipc.Caller, req *ipc.Request) <-chan *ipc.Reply {
	req.Version = ipc.Version
	res := make(chan *messages.Result, 1)
	control.Submit(ctx, w.system.Root, w.ipc, caller, req, res)
	ch := make(chan *ipc.Reply, 1)
	go func() {
		select {
		case r := <-res:
			ch <- messages.ToWire(req, r)
		case <-w.ended:
		}
	}()
	return ch
}

// shutdown stops pid (the manager or the admin actor) as the agent's
// SIGTERM does, dropping or releasing, and waits until it is done.
func (w *world) shutdown(pid *actor.PID, release bool) {
	w.t.Helper()
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(pid, &messages.Shutdown{Release: release, Reply: done})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		w.t.Fatal("shutdown not done within 5 s")
	}
}

// do sends a command as root and waits for the reply.
func (w *world) do(command, ifname string) *ipc.Reply {
	w.t.Helper()
	return w.await(w.ask(0, command, ifname))
}

func (w *world) await(ch <-chan *ipc.Reply) *ipc.Reply {
	w.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		w.t.Fatalf("no reply within 5 s\n%s", buf[:n])
		return nil
	}
}

// pending asserts that no reply has come yet.
func stillWaiting[T any](t *testing.T, ch <-chan T) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("replied early: %+v", r)
	default:
	}
}

// serve answers a client message m with a reply of type typ granting an
// address for lease seconds, through the shared receive path: eth0 gets
// 198.18.0.100/24 and eth1 198.18.1.100/24, so that neither offer lies in
// a network the other interface owns.
func (w *world) serve(m *dhcpv4.DHCPv4, typ dhcpv4.MessageType, lease uint32, mods ...dhcpv4.Modifier) {
	w.t.Helper()
	yiaddr := net.IPv4(198, 18, 0, 100)
	if m.ClientHWAddr.String() == hw1.String() {
		yiaddr = net.IPv4(198, 18, 1, 100)
	}
	r, err := dhcpv4.New(append([]dhcpv4.Modifier{
		dhcpv4.WithTransactionID(m.TransactionID),
		dhcpv4.WithHwAddr(m.ClientHWAddr),
		dhcpv4.WithMessageType(typ),
		dhcpv4.WithYourIP(yiaddr),
		dhcpv4.WithServerIP(serverIP),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(serverIP)),
		dhcpv4.WithLeaseTime(lease),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)),
		dhcpv4.WithOption(dhcpv4.OptRouter(serverIP)),
	}, mods...)...)
	if err != nil {
		w.t.Fatal(err)
	}
	r.OpCode = dhcpv4.OpcodeBootReply
	frame := transport.EncodeUDP4(netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.100"), r.ToBytes())
	frame[20], frame[21], frame[22], frame[23] = 0, transport.ServerPort, 0, transport.ClientPort
	w.disp.Dispatch(frame, transport.Origin{})
}

// bind takes ifname from INIT to BOUND with a lease of secs seconds.
func (w *world) bind(ifname string, secs uint32) *ipc.Reply {
	w.t.Helper()
	return w.grant(w.ask(0, ipc.CmdStart, ifname), secs)
}

// grant serves the DISCOVER and the REQUEST of the acquisition that the
// command behind ch started with a lease of secs seconds, the OFFER and
// the ACK changed by mods, and returns the command's reply.
func (w *world) grant(ch <-chan *ipc.Reply, secs uint32, mods ...dhcpv4.Modifier) *ipc.Reply {
	w.t.Helper()
	d := w.send.next(w.t)
	expectType(w.t, d, dhcpv4.MessageTypeDiscover)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, secs, mods...)
	r := w.send.next(w.t)
	expectType(w.t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeAck, secs, mods...)
	return w.await(ch)
}

func expectType(t *testing.T, s sent, want dhcpv4.MessageType) {
	t.Helper()
	if got := s.msg.MessageType(); got != want {
		t.Fatalf("sent %v, want %v", got, want)
	}
}
