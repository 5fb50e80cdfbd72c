package actors

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/dhcpagent/dhcpagent/transport/transporttest"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// sent is one message the fake sender was asked to send.
type sent struct {
	ifindex  int
	from, to netip.Addr // to invalid: broadcast
	msg      *dhcpv4.DHCPv4
}

// fakeSender records what the actors send: a transporttest.Sender whose
// function decodes each DHCP message onto out and puts each ARP packet on
// arp.
type fakeSender struct {
	transporttest.Sender
	out chan sent
	arp chan transport.ARPPacket
}

func newFakeSender() *fakeSender {
	s := &fakeSender{out: make(chan sent, 64), arp: make(chan transport.ARPPacket, 64)}
	s.Sender = func(p transporttest.Packet) error {
		if p.ARP != nil {
			s.arp <- *p.ARP
			return nil
		}
		m, err := dhcpv4.FromBytes(p.Payload)
		if err != nil {
			return err
		}
		s.out <- sent{ifindex: p.Ifindex, from: p.From, to: p.To, msg: m}
		return nil
	}
	return s
}

// next waits for the next message sent.
func (s *fakeSender) next(t *testing.T) sent {
	t.Helper()
	select {
	case m := <-s.out:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("nothing was sent within 5 s")
		return sent{}
	}
}

// none asserts that nothing is waiting to be sent.
func (s *fakeSender) none(t *testing.T) {
	t.Helper()
	select {
	case m := <-s.out:
		t.Fatalf("unexpected %v", m.msg.MessageType())
	default:
	}
}

// newKernel is a fake kernel with the links of the world: eth0 and eth1
// down with carrier, and the loopback.
func newKernel() *kerneltest.Kernel {
	k := &kerneltest.Kernel{}
	k.AddLink("eth0", kernel.LinkState{Index: 2, Carrier: true, Broadcast: true, Multicast: true})
	k.AddLink("eth1", kernel.LinkState{Index: 3, Carrier: true, Broadcast: true, Multicast: true})
	k.AddLink("lo", kernel.LinkState{Index: 1, Up: true, Carrier: true, Loopback: true})
	return k
}

// The fakes are what the actors take (checked at compile time).
var (
	_ Configurer           = (*kerneltest.Kernel)(nil)
	_ LinkAdmin            = (*kerneltest.Kernel)(nil)
	_ transport.ARPWatcher = (*transporttest.ARP)(nil)
)

// fakeLinks knows a fixed set of interfaces. A test can hold the lookups
// of one name, as a kernel slow to answer would.
type fakeLinks struct {
	holds
	mu    sync.Mutex
	known map[string]Link
	// asked, if set, is called with each lookup's name before it
	// answers (a test's link that changes while it is looked up).
	asked func(name string)
	calls int // lookups made
}

// ByName answers from the links known when it is asked; a held lookup
// then waits before it returns that answer.
func (l *fakeLinks) ByName(name string) (Link, error) {
	l.mu.Lock()
	link, ok := l.known[name]
	asked := l.asked
	l.calls++
	l.mu.Unlock()
	l.wait(name)
	if asked != nil {
		asked(name)
	}
	if ok {
		return link, nil
	}
	return Link{}, &net.OpError{Op: "route", Net: "ip+net", Err: errNoSuchInterface}
}

// holds are the calls a test holds, by name (an interface's).
type holds struct {
	mu   sync.Mutex
	held map[string]*held
}

// held is one name's held calls.
type held struct {
	asked   chan struct{} // a call for the name is waiting
	release chan struct{} // closed: they go on
	once    sync.Once
}

// hold makes the calls for name wait until release is called; asked is
// closed once one waits.
func (h *holds) hold(name string) (asked <-chan struct{}, release func()) {
	c := &held{asked: make(chan struct{}), release: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held == nil {
		h.held = map[string]*held{}
	}
	h.held[name] = c
	return c.asked, sync.OnceFunc(func() { close(c.release) })
}

// wait holds a call for name, if the test holds them.
func (h *holds) wait(name string) {
	h.mu.Lock()
	c := h.held[name]
	h.mu.Unlock()
	if c != nil {
		c.once.Do(func() { close(c.asked) })
		<-c.release
	}
}

var errNoSuchInterface = &net.AddrError{Err: "no such network interface"}

// fakeHooks records hook runs and lets the test end them.
type fakeHooks struct {
	mu   sync.Mutex
	runs chan hookRun
}

type hookRun struct {
	ifname, event string
	env           []string
	done          func(error)
}

func (h *fakeHooks) Start(ifname, event string, env []string, done func(error)) error {
	h.runs <- hookRun{ifname, event, env, done}
	return nil
}

func (h *fakeHooks) next(t *testing.T) hookRun {
	t.Helper()
	select {
	case r := <-h.runs:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no hook ran within 5 s")
		return hookRun{}
	}
}

// heldStore is the store with writes a test can hold, as a slow disk
// would: SaveLease and UpdateInterface of a held name wait for release.
type heldStore struct {
	*store.Store
	holds
	mu    sync.Mutex
	saves int // SaveLease calls
	loads int // LoadLease calls
	// ipadmErr fails SaveIPAdm, leaseErr SaveLease, ifaceErr
	// UpdateInterface.
	ipadmErr, leaseErr, ifaceErr error
}

func (s *heldStore) LoadLease(ifname string) (*store.Lease, error) {
	s.mu.Lock()
	s.loads++
	s.mu.Unlock()
	s.wait("read " + ifname) // held by a test as "read IFNAME"
	return s.Store.LoadLease(ifname)
}

func (s *heldStore) SaveLease(l *store.Lease) error {
	s.mu.Lock()
	s.saves++
	err := s.leaseErr
	s.mu.Unlock()
	s.wait(l.Ifname)
	if err != nil {
		return err
	}
	return s.Store.SaveLease(l)
}

// failLeases makes the later lease record writes fail with err (nil:
// succeed).
func (s *heldStore) failLeases(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leaseErr = err
}

// Interface waits while the test holds "interface IFNAME", as a read of
// the records' directory on a slow disk would.
func (s *heldStore) Interface(ifname string) (store.Interface, error) {
	s.wait("interface " + ifname)
	return s.Store.Interface(ifname)
}

// UpdateInterface waits while the test holds IFNAME, and fails with
// ifaceErr when the test set one.
func (s *heldStore) UpdateInterface(ifname string, f func(*store.Interface)) error {
	s.wait(ifname)
	s.mu.Lock()
	err := s.ifaceErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Store.UpdateInterface(ifname, f)
}

// failInterfaces makes the later interface record writes fail with err
// (nil: succeed).
func (s *heldStore) failInterfaces(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ifaceErr = err
}

// SaveIPAdm waits while the test holds "ipadm.json", and fails with
// ipadmErr when the test set one (a full disk).
func (s *heldStore) SaveIPAdm(c *ipadm.Config) error {
	s.wait("ipadm.json")
	s.mu.Lock()
	err := s.ipadmErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Store.SaveIPAdm(c)
}

// failIPAdm makes the later ipadm.json writes fail with err (nil: succeed).
func (s *heldStore) failIPAdm(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ipadmErr = err
}

// savesSoFar returns how many lease records were written.
func (s *heldStore) savesSoFar() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}
