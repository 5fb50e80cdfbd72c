package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/vishvananda/netlink"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// source is the kernel's side of a watch: a subscription to changes of
// type U (closed, with done, when the subscription fails: ENOBUFS after a
// burst the socket could not hold) and a full dump of the table, as T.
type source[U, T any] struct {
	subscribe func(ch chan<- U, done <-chan struct{}, onErr func(error)) error
	list      func() (T, error)
}

// linkSource is the link watcher's source.
type linkSource = source[netlink.LinkUpdate, []netlink.Link]

// kernelLinks is the netlink of the agent's own namespace.
var kernelLinks = linkSource{
	subscribe: func(ch chan<- netlink.LinkUpdate, done <-chan struct{}, onErr func(error)) error {
		return netlink.LinkSubscribeWithOptions(ch, done, netlink.LinkSubscribeOptions{ErrorCallback: onErr})
	},
	list: netlink.LinkList,
}

// Resubscription delays after the link watch is lost: from the first,
// doubling, to the last, which also paces a kernel that refuses
// subscriptions.
const (
	firstResubscribe = 100 * time.Millisecond
	maxResubscribe   = 30 * time.Second
)

// watchLinks follows link changes from netlink and reports carrier changes,
// deletions and links it had not seen (SPEC §2) until ctx ends. Only
// changes are reported.
func watchLinks(ctx context.Context, log *zap.Logger, report func(*messages.Link)) {
	w := &linkWatch{log: log, report: report, links: map[int]watched{}}
	w.run(ctx, kernelLinks, firstResubscribe)
}

// watched is what the watcher last reported of a link.
type watched struct {
	name string
	up   bool
}

type linkWatch struct {
	log    *zap.Logger
	report func(*messages.Link)
	links  map[int]watched // by index
}

// run watches through src. A lost subscription (the kernel drops a
// socket's messages when a burst overruns it, and the reader fails with
// ENOBUFS) is not the end: the watcher subscribes again, then reads the
// whole link table and reports what changed while it was blind, so a
// carrier lost or a link deleted in the burst is still noticed.
func (w *linkWatch) run(ctx context.Context, src linkSource, delay time.Duration) {
	feed[netlink.LinkUpdate]{
		what:      "link",
		log:       w.log,
		subscribe: src.subscribe,
		sync: func(again bool) error {
			if !again {
				w.baseline(src)
				return nil
			}
			return w.resync(src)
		},
		apply: w.update,
	}.run(ctx, delay)
}

// feed is one table of the kernel followed through a netlink
// subscription: links (watch_linux.go), addresses (addrwatch_linux.go).
type feed[U any] struct {
	what string // for the logs: "link", "address"
	log  *zap.Logger
	// subscribe starts a subscription whose updates come on ch until it
	// fails (ch closed) or done is closed.
	subscribe func(ch chan<- U, done <-chan struct{}, onErr func(error)) error
	// sync reads the whole table after subscribing (so that no change
	// falls between the two): the first time (again false), and after
	// each lost subscription.
	sync func(again bool) error
	// apply takes in one update.
	apply func(U)
}

// run follows the table until ctx ends, subscribing again (and reading
// the table again) whenever the subscription is lost or refused, after a
// delay from delay doubling to maxResubscribe.
func (f feed[U]) run(ctx context.Context, delay time.Duration) {
	again := false
	wait := delay
	for {
		updates := make(chan U, 256)
		done := make(chan struct{}) // closes this subscription's socket
		err := f.subscribe(updates, done, f.onErr(done))
		if err == nil {
			err = f.sync(again)
		}
		if err == nil {
			again = true
			if f.follow(ctx, updates) {
				wait = delay // it worked for a while: the next loss retries soon
			}
		}
		close(done)
		go drain(updates)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			f.log.Error("cannot watch "+f.what+" changes: retrying", zap.Error(err), zap.Duration("in", wait))
		} else {
			f.log.Warn(f.what+" watch lost (netlink overrun?): subscribing again and reading every "+f.what,
				zap.Duration("in", wait))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, maxResubscribe)
	}
}

// drainWait bounds drain: the library's reader closes the channel as
// soon as its receive fails on the closed socket.
const drainWait = 10 * time.Second

// drain reads and drops what an ended subscription's reader still sends,
// until it closes the channel (or drainWait has passed). The library's
// reader sends each update without looking at done, so one that filled
// the channel while nobody read it (during a dump that failed, or at a
// stop) would block for ever on the next, its socket closed under it,
// one goroutine left behind per failed dump.
func drain[U any](updates <-chan U) {
	t := time.NewTimer(drainWait)
	defer t.Stop()
	for {
		select {
		case _, ok := <-updates:
			if !ok {
				return
			}
		case <-t.C:
			return
		}
	}
}

// follow applies the updates until the subscription ends or ctx does; it
// says whether any update came.
func (f feed[U]) follow(ctx context.Context, updates <-chan U) bool {
	any := false
	for {
		select {
		case <-ctx.Done():
			return any
		case u, ok := <-updates:
			if !ok {
				return any
			}
			any = true
			f.apply(u)
		}
	}
}

// onErr logs the errors of the subscription whose socket done closes,
// except once done is closed: closing the socket under the reader's
// blocked receive is how a subscription ends (at a stop, or before the
// next one), and the library then reports the receive failing ("Receive
// failed: resource temporarily unavailable", the poller's last EAGAIN, or
// "use of closed file"). A failure while the subscription is wanted
// (ENOBUFS) is logged.
func (f feed[U]) onErr(done <-chan struct{}) func(error) {
	return func(err error) {
		select {
		case <-done:
			f.log.Debug(f.what+" watch closed", zap.Error(err))
		default:
			f.log.Warn(f.what+" watch", zap.Error(err))
		}
	}
}

// dumpAgain reads a table with list, again when a change interrupted the
// dump, at most three times; the last error is returned with the last
// result.
func dumpAgain[T any](list func() (T, error)) (T, error) {
	var v T
	var err error
	for range 3 {
		if v, err = list(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	return v, err
}

// update reports what one link update changed.
func (w *linkWatch) update(u netlink.LinkUpdate) {
	a := u.Link.Attrs()
	if u.Header.Type == unix.RTM_DELLINK {
		if _, known := w.links[a.Index]; !known {
			w.report(&messages.Link{Ifname: a.Name, Deleted: true})
		}
		w.gone(a.Index)
		return
	}
	w.seen(a.Index, a.Name, u.IfInfomsg.Flags)
}

// baseline records the links as they are when the watch begins, without
// reporting them (the manager looks them up itself at start-up), so that a
// later resync reports changes only. Without it, each link's first report
// counts as its appearance, as for a link created later.
func (w *linkWatch) baseline(src linkSource) {
	links, err := w.dump(src)
	if err != nil {
		w.log.Warn("cannot read the links: each link's first change counts as its appearance", zap.Error(err))
		return
	}
	for _, l := range links {
		a := l.Attrs()
		w.links[a.Index] = watched{name: a.Name, up: isUp(uint32(a.RawFlags))}
	}
}

// dump reads every link, again when a change interrupted the dump (then
// at most three times; the last dump is used as it is).
func (w *linkWatch) dump(src linkSource) ([]netlink.Link, error) {
	links, err := dumpAgain(src.list)
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return nil, fmt.Errorf("reading the links: %w", err)
	}
	return links, nil
}

func isUp(flags uint32) bool { return flags&unix.IFF_UP != 0 && flags&unix.IFF_LOWER_UP != 0 }

// resync reads every link and reports what differs from what was last
// reported: carrier changes, links that appeared, links that went.
func (w *linkWatch) resync(src linkSource) error {
	links, err := w.dump(src)
	if err != nil {
		return err
	}
	present := map[int]bool{}
	for _, l := range links {
		a := l.Attrs()
		present[a.Index] = true
		w.seen(a.Index, a.Name, uint32(a.RawFlags))
	}
	for index := range w.links {
		if !present[index] {
			w.gone(index)
		}
	}
	return nil
}

// seen reports a link's state if it changed. The first report of a link
// tells the manager it exists: a managed interface whose link had gone
// resumes. A link renamed is the old name gone and the new one appeared.
func (w *linkWatch) seen(index int, name string, flags uint32) {
	up := isUp(flags)
	was, known := w.links[index]
	if known && was.name != name {
		w.gone(index)
		known = false
	}
	if known && was.up == up {
		return
	}
	w.links[index] = watched{name: name, up: up}
	w.report(&messages.Link{Ifname: name, Up: up, Appeared: !known})
}

func (w *linkWatch) gone(index int) {
	was, known := w.links[index]
	if !known {
		return
	}
	delete(w.links, index)
	w.report(&messages.Link{Ifname: was.name, Deleted: true})
}

// clockSlack is how far the wall clock may drift from the monotonic clock
// between two ticks before it counts as a jump (or a resume from suspend,
// during which the monotonic clock stands still).
const clockSlack = 2 * time.Second

// watchClock reports jumps of the wall clock relative to the monotonic one.
func watchClock(ctx context.Context, log *zap.Logger, report func()) {
	const tick = 5 * time.Second
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			mono := now.Sub(last)                   // monotonic readings
			wall := now.Round(0).Sub(last.Round(0)) // wall-clock readings
			last = now
			if d := wall - mono; d > clockSlack || d < -clockSlack {
				log.Warn("wall clock jumped: verifying leases", zap.Duration("jump", d))
				report()
			}
		}
	}
}
