package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/vishvananda/netlink"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

func addrUpdate(index int, prefix string, added bool) netlink.AddrUpdate {
	p := netip.MustParsePrefix(prefix)
	return netlink.AddrUpdate{LinkIndex: index, NewAddr: added, LinkAddress: net.IPNet{
		IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}}
}

func ifa(index int, prefix string) kernel.IfAddr {
	return kernel.IfAddr{Ifindex: index, Prefix: netip.MustParsePrefix(prefix)}
}

// eventually waits, within 10 s, for the table to hold exactly want.
func eventually(t *testing.T, table *kernel.AddrTable, want ...kernel.IfAddr) {
	t.Helper()
	same := func() bool {
		got := table.List()
		return len(got) == len(want) && !slices.ContainsFunc(want, func(a kernel.IfAddr) bool { return !slices.Contains(got, a) })
	}
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !same() {
		if time.Now().After(deadline) {
			t.Fatalf("table %v, want %v", table.List(), want)
		}
		<-tick.C
	}
}

// TestApplyAddr: RTM_NEWADDR and RTM_DELADDR each change one address;
// IPv6 addresses are left out.
func TestApplyAddr(t *testing.T) {
	var table kernel.AddrTable
	table.Reset([]kernel.IfAddr{ifa(2, "198.18.0.5/24")})
	for _, u := range []netlink.AddrUpdate{
		addrUpdate(3, "198.18.1.5/24", true),
		addrUpdate(3, "2001:db8::5/64", true),
		addrUpdate(2, "198.18.0.5/24", false),
		addrUpdate(4, "198.18.2.5/30", true),
		addrUpdate(4, "198.18.2.5/30", false),
	} {
		applyAddr(&table, u)
	}
	if got, want := table.List(), []kernel.IfAddr{ifa(3, "198.18.1.5/24")}; !slices.Equal(got, want) {
		t.Fatalf("table %v, want %v", got, want)
	}
}

type addrSub struct {
	ch   chan<- netlink.AddrUpdate
	done <-chan struct{}
}

// fakeAddrs is an address table and its subscriptions.
type fakeAddrs struct {
	mu    sync.Mutex
	table []kernel.IfAddr
	dumps int
	fail  error // the next dump's
	subs  chan addrSub
}

func (f *fakeAddrs) set(addrs ...kernel.IfAddr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.table = addrs
}

func (f *fakeAddrs) source() addrSource {
	return addrSource{
		subscribe: func(ch chan<- netlink.AddrUpdate, done <-chan struct{}, _ func(error)) error {
			f.subs <- addrSub{ch, done}
			return nil
		},
		list: func() ([]kernel.IfAddr, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.dumps++
			if err := f.fail; err != nil {
				f.fail = nil
				return nil, err
			}
			return slices.Clone(f.table), nil
		},
	}
}

func nextAddrSub(t *testing.T, subs <-chan addrSub) addrSub {
	t.Helper()
	select {
	case s := <-subs:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the address watch did not subscribe within 10 s")
		return addrSub{}
	}
}

// TestAddrWatchResyncsAfterOverrun: the table is the dump taken after
// subscribing, then follows the events; when the subscription is lost
// (ENOBUFS) the watch closes it, subscribes again and takes the list
// afresh, so an address added and one deleted during the burst are right;
// an interrupted dump is read again.
func TestAddrWatchResyncsAfterOverrun(t *testing.T) {
	f := &fakeAddrs{subs: make(chan addrSub, 1)}
	f.set(ifa(2, "198.18.0.5/24"), ifa(3, "198.18.1.5/24"))
	var table kernel.AddrTable
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { watchAddrs(ctx, zap.NewNop(), &table, f.source(), 0, nil); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	first := nextAddrSub(t, f.subs)
	eventually(t, &table, ifa(2, "198.18.0.5/24"), ifa(3, "198.18.1.5/24"))
	first.ch <- addrUpdate(3, "198.18.1.5/24", false)
	first.ch <- addrUpdate(4, "198.18.2.5/24", true)
	eventually(t, &table, ifa(2, "198.18.0.5/24"), ifa(4, "198.18.2.5/24"))

	// The burst: eth0's address goes, two come; the watch sees only the
	// end of its subscription, and its first dump is interrupted.
	f.set(ifa(4, "198.18.2.5/24"), ifa(5, "198.18.3.5/24"), ifa(6, "198.18.4.5/24"))
	f.mu.Lock()
	f.fail = fmt.Errorf("list addresses: %w", netlink.ErrDumpInterrupted)
	f.mu.Unlock()
	close(first.ch)
	second := nextAddrSub(t, f.subs)
	mustBeClosed(t, first.done, "the lost subscription was not closed")
	eventually(t, &table, ifa(4, "198.18.2.5/24"), ifa(5, "198.18.3.5/24"), ifa(6, "198.18.4.5/24"))
	f.mu.Lock()
	if f.dumps != 3 {
		t.Errorf("%d dumps, want 3 (one, one interrupted, one again)", f.dumps)
	}
	f.mu.Unlock()
	f.set(ifa(4, "198.18.2.5/24"), ifa(5, "198.18.3.5/24"))
	second.ch <- addrUpdate(6, "198.18.4.5/24", false)
	eventually(t, &table, ifa(4, "198.18.2.5/24"), ifa(5, "198.18.3.5/24"))

	// A dump refused outright: the table keeps what it had and the
	// watch subscribes again.
	f.mu.Lock()
	f.fail = errors.New("refused")
	f.mu.Unlock()
	close(second.ch)
	third := nextAddrSub(t, f.subs) // the refused one
	<-third.done
	fourth := nextAddrSub(t, f.subs)
	if got := table.List(); len(got) != 2 {
		t.Fatalf("table %v after a refused dump, want the two it had", got)
	}
	f.set(ifa(4, "198.18.2.5/24"), ifa(5, "198.18.3.5/24"), ifa(7, "198.18.5.5/24"))
	fourth.ch <- addrUpdate(7, "198.18.5.5/24", true)
	eventually(t, &table, ifa(4, "198.18.2.5/24"), ifa(5, "198.18.3.5/24"), ifa(7, "198.18.5.5/24"))
	f.mu.Lock()
	if f.dumps != 5 { // the event is followed only after the dump
		t.Errorf("%d dumps, want 5: the refused one, and one after subscribing again", f.dumps)
	}
	f.mu.Unlock()
	cancel()
	<-stopped
	mustBeClosed(t, fourth.done, "the subscription was not closed when the watch ended")
}

// TestAddrWatchKernel: in a namespace of its own, with a real veth pair,
// the table holds the address that was there before the watch and follows
// an address added and one deleted, IPv6 left out.
func TestAddrWatchKernel(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	ns, h := newNetnsHandle(t)
	if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "w0"}, PeerName: "w0p"}); err != nil {
		t.Fatal(err)
	}
	w0, err := h.LinkByName("w0")
	if err != nil {
		t.Fatal(err)
	}
	w0p, err := h.LinkByName("w0p")
	if err != nil {
		t.Fatal(err)
	}
	addr := func(prefix string) *netlink.Addr {
		t.Helper()
		a, err := netlink.ParseAddr(prefix)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	before := addr("198.18.0.1/24")
	if err := h.AddrAdd(w0, before); err != nil {
		t.Fatal(err)
	}
	src := addrSource{
		subscribe: func(ch chan<- netlink.AddrUpdate, done <-chan struct{}, onErr func(error)) error {
			return netlink.AddrSubscribeWithOptions(ch, done, netlink.AddrSubscribeOptions{Namespace: &ns, ErrorCallback: onErr})
		},
		list: func() ([]kernel.IfAddr, error) {
			list, err := h.AddrList(nil, unix.AF_INET)
			var out []kernel.IfAddr
			for _, a := range list {
				if ia, ok := ifAddr(netlink.AddrUpdate{LinkAddress: *a.IPNet, LinkIndex: a.LinkIndex}); ok {
					out = append(out, ia)
				}
			}
			return out, err
		},
	}
	var table kernel.AddrTable
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { watchAddrs(ctx, zap.NewNop(), &table, src, time.Millisecond, nil); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	i0, i1 := w0.Attrs().Index, w0p.Attrs().Index
	eventually(t, &table, ifa(i0, "198.18.0.1/24"))
	if err := h.AddrAdd(w0p, addr("198.18.0.2/24")); err != nil {
		t.Fatal(err)
	}
	if err := h.AddrAdd(w0p, addr("2001:db8::2/64")); err != nil {
		t.Fatal(err)
	}
	eventually(t, &table, ifa(i0, "198.18.0.1/24"), ifa(i1, "198.18.0.2/24"))
	if err := h.AddrDel(w0, before); err != nil {
		t.Fatal(err)
	}
	eventually(t, &table, ifa(i1, "198.18.0.2/24"))
}

// TestStartAddrWatchWaitsForFirstDump: at start-up the interfaces resume
// only once the table holds the host's list. A first dump refused (or
// interrupted) is tried again, and the list is in the table when
// startAddrWatch returns; the start-up's single dump before (a warning,
// then an empty table until the watch's own dump) left an offered address
// another interface has to pass the conflict check meanwhile.
func TestStartAddrWatchWaitsForFirstDump(t *testing.T) {
	f := &fakeAddrs{subs: make(chan addrSub, 4)}
	f.set(ifa(2, "198.18.0.5/24"))
	f.fail = errors.New("refused")
	var table kernel.AddrTable
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if !startAddrWatch(ctx, zap.NewNop(), &table, f.source(), time.Millisecond, 10*time.Second) {
		t.Fatal("startAddrWatch gave up though the second dump answers")
	}
	if got := table.List(); !slices.Equal(got, []kernel.IfAddr{ifa(2, "198.18.0.5/24")}) {
		t.Fatalf("table %v when startAddrWatch returned, want the host's list", got)
	}
	if !table.Conflicts(3, netip.MustParseAddr("198.18.0.5")) {
		t.Fatal("another interface's address passes the conflict check at start-up")
	}
}

// TestStartAddrWatchBounded: a kernel that never gives the list holds
// the start-up for wait only; the watch goes on trying and fills the
// table once a dump answers.
func TestStartAddrWatchBounded(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	f := &fakeAddrs{subs: make(chan addrSub, 64)}
	f.set(ifa(2, "198.18.0.5/24"))
	src := f.source()
	list := src.list
	src.list = func() ([]kernel.IfAddr, error) {
		if refuse.Load() {
			return nil, errors.New("refused")
		}
		return list()
	}
	var table kernel.AddrTable
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // drain the subscriptions the retries make
		for {
			select {
			case <-f.subs:
			case <-ctx.Done():
				return
			}
		}
	}()
	if startAddrWatch(ctx, zap.NewNop(), &table, src, time.Millisecond, 50*time.Millisecond) {
		t.Fatal("startAddrWatch says the list is in, with every dump refused")
	}
	refuse.Store(false)
	eventually(t, &table, ifa(2, "198.18.0.5/24"))
}

// TestWatchDrainsEndedSubscription: a reader that filled its channel
// while the watch was dumping (a dump that failed: nobody read the
// updates) and sends the next without looking at done, as the netlink
// library's does, is not left blocked for ever once the subscription
// ends: the watch reads what it still sends until it closes the channel.
// Without the drain, every failed dump during a burst left one behind.
func TestWatchDrainsEndedSubscription(t *testing.T) {
	full := make(chan struct{})
	ended := make(chan struct{}, 8)
	var subs atomic.Int32
	src := addrSource{
		subscribe: func(ch chan<- netlink.AddrUpdate, done <-chan struct{}, _ func(error)) error {
			first := subs.Add(1) == 1
			go func() {
				defer func() { ended <- struct{}{} }()
				defer close(ch)
				if !first {
					<-done
					return
				}
				for i := range cap(ch) + 1 { // the last blocks: the channel is full
					if i == cap(ch) {
						close(full)
					}
					ch <- addrUpdate(2, "198.18.0.5/24", true)
				}
				<-done // the library's next receive fails on the closed socket
			}()
			return nil
		},
		list: func() ([]kernel.IfAddr, error) {
			if subs.Load() == 1 {
				<-full
				return nil, errors.New("refused")
			}
			return nil, nil
		},
	}
	var table kernel.AddrTable
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { watchAddrs(ctx, zap.NewNop(), &table, src, time.Millisecond, nil); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the first subscription's reader is still blocked on its full channel")
	}
}
