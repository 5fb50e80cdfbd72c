package actors

import (
	"net"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/dhcpagent/dhcpagent/transport/transporttest"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// fakeClock is a manual clock: timers fire only when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock and fires, in order, the timers that come due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			due = append(due, t)
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}

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

// transporttest's fake is an actors Sender (checked at compile time).
var _ Sender = transporttest.Sender(nil)

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

// fakeNet records what would be applied to the kernel.
type fakeNet struct {
	mu      sync.Mutex
	applied []kernel.AddrConfig
	removed []kernel.AddrConfig
	// withdrawn are the routes Withdraw took away, as configs of the
	// application they came from.
	withdrawn []kernel.AddrConfig
	addrs     []kernel.IfAddr
	mtu       map[int]int
}

// Apply records c and, like the kernel, puts the address on the link.
func (n *fakeNet) Apply(c kernel.AddrConfig) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.applied = append(n.applied, c)
	a := kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}
	if !slices.Contains(n.addrs, a) {
		n.addrs = append(n.addrs, a)
	}
	return nil
}

func (n *fakeNet) Remove(c kernel.AddrConfig) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.removed = append(n.removed, c)
	n.addrs = slices.DeleteFunc(n.addrs, func(a kernel.IfAddr) bool {
		return a == kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}
	})
	return nil
}

func (n *fakeNet) Withdraw(old, next kernel.AddrConfig) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if routes, rule := kernel.Vanished(old, next); len(routes) > 0 || rule {
		n.withdrawn = append(n.withdrawn, kernel.AddrConfig{Ifindex: old.Ifindex, Addr: old.Addr,
			Metric: old.Metric, Table: old.Table, Routes: routes})
	}
	return nil
}

func (n *fakeNet) Addrs() ([]kernel.IfAddr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]kernel.IfAddr(nil), n.addrs...), nil
}

func (n *fakeNet) MTU(ifindex int) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if m, ok := n.mtu[ifindex]; ok {
		return m, nil
	}
	return 1500, nil
}

func (n *fakeNet) SetMTU(ifindex, mtu int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mtu == nil {
		n.mtu = map[int]int{}
	}
	n.mtu[ifindex] = mtu
	return nil
}

func (n *fakeNet) snapshot() (applied, removed []kernel.AddrConfig) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]kernel.AddrConfig(nil), n.applied...), append([]kernel.AddrConfig(nil), n.removed...)
}

// fakeARP records which interfaces are watched.
type fakeARP struct {
	mu       sync.Mutex
	watchers map[int]func(transport.ARPPacket)
}

func (a *fakeARP) Watch(ifindex int, f func(transport.ARPPacket)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.watchers == nil {
		a.watchers = map[int]func(transport.ARPPacket){}
	}
	a.watchers[ifindex] = f
}

func (a *fakeARP) Unwatch(ifindex int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.watchers, ifindex)
}

func (a *fakeARP) deliver(ifindex int, p transport.ARPPacket) bool {
	a.mu.Lock()
	f := a.watchers[ifindex]
	a.mu.Unlock()
	if f != nil {
		f(p)
	}
	return f != nil
}

// fakeLinks knows a fixed set of interfaces.
type fakeLinks map[string]Link

func (l fakeLinks) ByName(name string) (Link, error) {
	if link, ok := l[name]; ok {
		return link, nil
	}
	return Link{}, &net.OpError{Op: "route", Net: "ip+net", Err: errNoSuchInterface}
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

// fakeLinkAdmin is the kernel's links for interface administration.
type fakeLinkAdmin struct {
	mu    sync.Mutex
	links map[string]*kernel.LinkState
	ipv6  map[string]bool
	net   *fakeNet
}

func newFakeLinkAdmin(n *fakeNet) *fakeLinkAdmin {
	return &fakeLinkAdmin{net: n, ipv6: map[string]bool{}, links: map[string]*kernel.LinkState{
		"eth0": {Index: 2, Carrier: true, Broadcast: true, Multicast: true},
		"eth1": {Index: 3, Carrier: true, Broadcast: true, Multicast: true},
		"lo":   {Index: 1, Up: true, Carrier: true, Loopback: true},
	}}
}

func (f *fakeLinkAdmin) State(name string) (kernel.LinkState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.links[name]; ok {
		return *l, nil
	}
	return kernel.LinkState{}, kernel.ErrNoLink
}

func (f *fakeLinkAdmin) SetUp(index int, up bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.links {
		if l.Index == index {
			l.Up = up
		}
	}
	return nil
}

func (f *fakeLinkAdmin) SetIPv6(name string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ipv6[name] = on
	return nil
}

func (f *fakeLinkAdmin) AddrFlags(index int, p netip.Prefix) (present, tentative, duplicate bool) {
	addrs, _ := f.net.Addrs()
	return slices.Contains(addrs, kernel.IfAddr{Ifindex: index, Prefix: p}), false, false
}

// v6 reports the last SetIPv6 of name, and whether there was one.
func (f *fakeLinkAdmin) v6(name string) (on, set bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	on, set = f.ipv6[name]
	return on, set
}

func (f *fakeLinkAdmin) up(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.links[name].Up
}
