package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/sys/unix"
)

const upFlags = unix.IFF_UP | unix.IFF_LOWER_UP

type subscription struct {
	ch   chan<- netlink.LinkUpdate
	done <-chan struct{}
}

// fakeLinks is a link table and its subscriptions; failNext makes the
// next subscription fail.
type fakeLinks struct {
	mu       sync.Mutex
	table    []netlink.Link
	failNext bool
	subs     chan subscription
}

func link(index int, name string, flags uint32) netlink.Link {
	return &netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: index, Name: name, RawFlags: flags}}
}

func update(index int, name string, flags uint32, typ uint16) netlink.LinkUpdate {
	var u netlink.LinkUpdate
	u.Header.Type = typ
	u.IfInfomsg = nl.IfInfomsg{IfInfomsg: unix.IfInfomsg{Index: int32(index), Flags: flags}}
	u.Link = link(index, name, flags)
	return u
}

func (f *fakeLinks) set(links ...netlink.Link) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.table = links
}

func (f *fakeLinks) source() linkSource {
	return linkSource{
		subscribe: func(ch chan<- netlink.LinkUpdate, done <-chan struct{}, _ func(error)) error {
			f.mu.Lock()
			fail := f.failNext
			f.failNext = false
			f.mu.Unlock()
			if fail {
				return errors.New("no subscription for now")
			}
			f.subs <- subscription{ch, done}
			return nil
		},
		list: func() ([]netlink.Link, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return append([]netlink.Link(nil), f.table...), nil
		},
	}
}

func nextSub(t *testing.T, subs <-chan subscription) subscription {
	t.Helper()
	select {
	case s := <-subs:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not subscribe within 5 s")
		return subscription{}
	}
}

func expectReport(t *testing.T, reports <-chan *messages.Link, want messages.Link) {
	t.Helper()
	select {
	case got := <-reports:
		if *got != want {
			t.Fatalf("reported %+v, want %+v", *got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no report within 5 s, want %+v", want)
	}
}

// TestLinkWatchResyncsAfterOverrun: when the subscription ends (netlink
// ENOBUFS: the burst overran the socket), the watcher closes it, subscribes
// again (again after a refusal), and reports what changed while it was
// blind: a carrier lost, a link deleted, a link created; nothing else.
func TestLinkWatchResyncsAfterOverrun(t *testing.T) {
	f := &fakeLinks{subs: make(chan subscription, 1)}
	f.set(link(2, "eth0", upFlags), link(3, "eth1", upFlags), link(4, "eth2", upFlags))
	reports := make(chan *messages.Link, 16)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	w := &linkWatch{log: zap.NewNop(), report: func(l *messages.Link) { reports <- l }, links: map[int]watched{}}
	go func() { w.run(ctx, f.source(), 0); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	first := nextSub(t, f.subs)
	first.ch <- update(3, "eth1", unix.IFF_UP, unix.RTM_NEWLINK)
	expectReport(t, reports, messages.Link{Ifname: "eth1"})  // carrier lost; not a new link (baseline)
	first.ch <- update(2, "eth0", upFlags, unix.RTM_NEWLINK) // no change: no report

	// The burst: eth0 loses its carrier, eth2 goes, eth3 comes; the
	// watcher sees none of it, only the end of its subscription.
	f.set(link(2, "eth0", unix.IFF_UP), link(3, "eth1", unix.IFF_UP), link(5, "eth3", upFlags))
	f.mu.Lock()
	f.failNext = true
	f.mu.Unlock()
	close(first.ch)
	second := nextSub(t, f.subs)
	mustBeClosed(t, first.done, "the lost subscription was not closed")
	expectReport(t, reports, messages.Link{Ifname: "eth0"})
	expectReport(t, reports, messages.Link{Ifname: "eth3", Up: true, Appeared: true})
	expectReport(t, reports, messages.Link{Ifname: "eth2", Deleted: true})

	// The new subscription is followed.
	second.ch <- update(3, "eth1", unix.IFF_UP, unix.RTM_NEWLINK) // unchanged
	second.ch <- update(5, "eth3", upFlags, unix.RTM_DELLINK)
	expectReport(t, reports, messages.Link{Ifname: "eth3", Deleted: true})
	second.ch <- update(9, "eth9", 0, unix.RTM_DELLINK) // never seen: still reported
	expectReport(t, reports, messages.Link{Ifname: "eth9", Deleted: true})
	second.ch <- update(2, "wan0", unix.IFF_UP, unix.RTM_NEWLINK) // renamed
	expectReport(t, reports, messages.Link{Ifname: "eth0", Deleted: true})
	expectReport(t, reports, messages.Link{Ifname: "wan0", Appeared: true})
	select {
	case r := <-reports:
		t.Fatalf("extra report %+v", *r)
	default:
	}
	cancel()
	<-stopped
	mustBeClosed(t, second.done, "the subscription was not closed when the watch ended")
}

// TestLinkWatchOverrunKernel: a real burst in a namespace of its own
// overruns a small subscription socket (ENOBUFS) while the watcher is
// stuck reporting; the watcher subscribes again and still reports the
// deletion made during the burst.
func TestLinkWatchOverrunKernel(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	ns, h := newNetnsHandle(t)
	veth := func(name string) {
		t.Helper()
		if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: name + "p"}); err != nil {
			t.Fatal(err)
		}
	}
	veth("gone0")
	var subscribed atomic.Int32
	first := make(chan struct{})
	src := linkSource{
		subscribe: func(ch chan<- netlink.LinkUpdate, done <-chan struct{}, onErr func(error)) error {
			if subscribed.Add(1) == 1 {
				defer close(first)
			}
			return netlink.LinkSubscribeWithOptions(ch, done, netlink.LinkSubscribeOptions{
				Namespace: &ns, ErrorCallback: onErr, ReceiveBufferSize: 4096, ReceiveBufferForceSize: true})
		},
		list: h.LinkList,
	}
	gate := make(chan struct{})
	var once sync.Once
	reports := make(chan *messages.Link, 4096)
	w := &linkWatch{log: zap.NewNop(), links: map[int]watched{}, report: func(l *messages.Link) {
		once.Do(func() { <-gate }) // stuck on the first report: the socket fills
		reports <- l
	}}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.run(ctx, src, 0); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	select {
	case <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("no subscription within 10 s")
	}
	veth("trigger0") // its report blocks the watcher
	for i := range 150 {
		veth(fmt.Sprintf("burst%d", i))
	}
	gone, err := h.LinkByName("gone0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkDel(gone); err != nil {
		t.Fatal(err)
	}
	close(gate)
	timeout := time.After(20 * time.Second)
	for deleted := map[string]bool{}; !deleted["gone0"] || !deleted["gone0p"]; {
		select {
		case l := <-reports:
			if l.Deleted {
				deleted[l.Ifname] = true
			}
		case <-timeout:
			t.Fatalf("deletions reported: %v; want gone0 and gone0p (subscriptions: %d)", deleted, subscribed.Load())
		}
	}
	if n := subscribed.Load(); n < 2 {
		t.Fatalf("%d subscription: the burst did not overrun the socket, so the test proves nothing", n)
	}
}

// newNetns makes a network namespace that lives as long as the test; its
// links go with it.
func newNetns(t *testing.T) netns.NsHandle {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	ns, err := netns.New()
	if err != nil {
		t.Skipf("no network namespace: %v", err)
	}
	if err := netns.Set(orig); err != nil {
		t.Fatal(err) // this thread is in the new namespace: stop here
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}

// newNetnsHandle is newNetns with a netlink handle in the namespace,
// closed with the test.
func newNetnsHandle(t *testing.T) (netns.NsHandle, *netlink.Handle) {
	t.Helper()
	ns := newNetns(t)
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return ns, h
}

// mustBeClosed fails the test unless done is closed.
func mustBeClosed(t *testing.T, done <-chan struct{}, why string) {
	t.Helper()
	select {
	case <-done:
	default:
		t.Fatal(why)
	}
}

// TestLinkWatchStopsQuietly: ending a real subscription (SIGTERM cancels
// the watch, which closes the socket under the reader's blocked receive)
// logs no warning; the library's "Receive failed: resource temporarily
// unavailable" for it is expected. A receive that fails while the
// subscription is wanted (ENOBUFS) is still a warning.
func TestLinkWatchStopsQuietly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	ns := newNetns(t)
	core, logs := observer.New(zap.InfoLevel)
	subscribed := make(chan struct{}, 4)
	readerDone := make(chan struct{})
	src := linkSource{
		subscribe: func(ch chan<- netlink.LinkUpdate, done <-chan struct{}, onErr func(error)) error {
			// The library's reader closes inner after its last error
			// callback: forward, and tell the test when that happened.
			inner := make(chan netlink.LinkUpdate)
			if err := netlink.LinkSubscribeWithOptions(inner, done, netlink.LinkSubscribeOptions{Namespace: &ns, ErrorCallback: onErr}); err != nil {
				return err
			}
			go func() {
				defer close(readerDone)
				defer close(ch)
				for u := range inner {
					ch <- u
				}
			}()
			subscribed <- struct{}{}
			return nil
		},
		list: func() ([]netlink.Link, error) { return nil, nil },
	}
	w := &linkWatch{log: zap.New(core), links: map[int]watched{}, report: func(*messages.Link) {}}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.run(ctx, src, time.Hour); close(stopped) }()
	select {
	case <-subscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("no subscription within 10 s")
	}
	cancel()
	<-stopped
	select {
	case <-readerDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription's reader did not end within 10 s of the stop")
	}
	for _, e := range logs.All() {
		t.Errorf("logged at a clean stop: %s %s %v", e.Level, e.Message, e.ContextMap())
	}

	// A failure while subscribed is loud.
	lost := make(chan struct{})
	var subscriptions atomic.Int32
	src = linkSource{
		subscribe: func(ch chan<- netlink.LinkUpdate, done <-chan struct{}, onErr func(error)) error {
			// Counted, not told by lost: the watcher subscribes again as
			// soon as ch closes, which may be before lost is.
			if subscriptions.Add(1) > 1 {
				return nil // the second subscription: follow it until the stop
			}
			go func() {
				onErr(fmt.Errorf("Receive failed: %w", unix.ENOBUFS))
				close(ch)
				close(lost)
			}()
			return nil
		},
		list: func() ([]netlink.Link, error) { return nil, nil },
	}
	ctx, cancel = context.WithCancel(context.Background())
	stopped = make(chan struct{})
	go func() { w.run(ctx, src, 0); close(stopped) }()
	<-lost // onErr has returned: its log is written
	if logs.FilterMessage("link watch").FilterLevelExact(zap.WarnLevel).Len() != 1 {
		t.Errorf("ENOBUFS while subscribed was not logged as a warning: %v", logs.All())
	}
	cancel()
	<-stopped
}
