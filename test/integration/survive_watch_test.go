//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// svSentinel is put on lo and taken off again to prove that a new ip
// monitor reports what happens in the client namespace.
const svSentinel = "127.0.0.77/32"

// svAddrWatch watches addr on dev in the client namespace, two ways: `ip
// -o monitor address` records every change the kernel announces, and a
// goroutine dumps the link's addresses over netlink every 2 ms.
type svAddrWatch struct {
	dev, ns string
	addr    netip.Addr
	file    string
	mon     *proc
	dumper  *svAddrDumper
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	mu      sync.Mutex
	polls   int
	missing []time.Time // polls that did not find the address
	errs    []string    // polls that failed
}

// svWatchAddr starts watching addr on dev; check ends the watch and
// reports. The watch is stopped in cleanup too.
func (l *Lab) svWatchAddr(dev string, addr netip.Addr) *svAddrWatch {
	l.t.Helper()
	w := &svAddrWatch{
		dev: dev, ns: l.ClientNS, addr: addr,
		file: filepath.Join(l.Dir, fmt.Sprintf("ip-monitor-%s-%d.txt", dev, time.Now().UnixNano())),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	var err error
	if w.dumper, err = svOpenDumper(l.ClientNS, dev); err != nil {
		l.t.Fatalf("svWatchAddr: %v", err)
	}
	if !w.present() {
		w.dumper.close()
		l.t.Fatalf("svWatchAddr: %v is not on %s to begin with (%v)", addr, dev, w.errs)
	}
	w.mon = l.start("ip monitor", l.ClientNS, w.file, nil, []string{"ip", "-o", "monitor", "address"})
	l.others = append(l.others, w.mon)
	go w.poll()
	l.t.Cleanup(w.halt) // before the lab's cleanup deletes the namespace

	// The monitor listens once it reports the sentinel coming and going;
	// until it has subscribed, the sentinel is put on lo again and again.
	sentinel := " inet " + svSentinel
	waitUntil(l.t, 5*time.Second, "ip monitor to report the sentinel", func() error {
		l.ip("-n", l.ClientNS, "addr", "replace", svSentinel, "dev", "lo")
		if !strings.Contains(readFile(w.file), sentinel) {
			return fmt.Errorf("monitor output %q", readFile(w.file))
		}
		return nil
	})
	l.ip("-n", l.ClientNS, "addr", "del", svSentinel, "dev", "lo")
	waitUntil(l.t, 5*time.Second, "ip monitor to report the sentinel's deletion", func() error {
		if len(svDeletions(readFile(w.file), sentinel)) == 0 {
			return fmt.Errorf("monitor output %q", readFile(w.file))
		}
		return nil
	})
	return w
}

// svDeletions returns the lines of ip monitor output that report the
// deletion of an address; what is " inet ADDR/PLEN" or a prefix of it.
func svDeletions(monitor, what string) []string {
	var out []string
	for line := range strings.SplitSeq(monitor, "\n") {
		if strings.HasPrefix(line, "Deleted") && strings.Contains(line, what) {
			out = append(out, line)
		}
	}
	return out
}

func (w *svAddrWatch) present() bool {
	addrs, err := w.dumper.addrs()
	if err != nil {
		w.mu.Lock()
		w.errs = append(w.errs, err.Error())
		w.mu.Unlock()
		return false
	}
	return slices.Contains(addrs, w.addr)
}

// poll checks the address every 2 ms until halted, or 5 minutes at most.
func (w *svAddrWatch) poll() {
	defer close(w.done)
	deadline := time.Now().Add(5 * time.Minute)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		now := time.Now()
		ok := w.present()
		w.mu.Lock()
		w.polls++
		if !ok {
			w.missing = append(w.missing, now)
		}
		w.mu.Unlock()
		select {
		case <-w.stop:
			return
		case <-tick.C:
		}
	}
}

// halt stops polling and the monitor.
func (w *svAddrWatch) halt() {
	w.once.Do(func() {
		close(w.stop)
		<-w.done
		w.dumper.close()
		w.mon.stop()
	})
}

// check ends the watch and fails the test if the address was ever seen
// missing or deleted.
func (w *svAddrWatch) check(t *testing.T) {
	t.Helper()
	// A short test ends before the watch has polled enough to prove
	// anything: let it reach its 50 polls (bounded) before it stops.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		w.mu.Lock()
		n := w.polls
		w.mu.Unlock()
		if n >= 50 {
			break
		}
	}
	w.halt()
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Logf("address watch of %v on %s: %d polls, %d misses, %d poll errors", w.addr, w.dev, w.polls, len(w.missing), len(w.errs))
	if w.polls < 50 {
		t.Errorf("address watch polled only %d times", w.polls)
	}
	if len(w.missing) > 0 {
		t.Errorf("%v was missing from %s at %d polls, first at %v", w.addr, w.dev, len(w.missing), w.missing[0].Format(time.StampMilli))
	}
	if len(w.errs) > 0 {
		t.Errorf("address polls failed %d times: %s", len(w.errs), w.errs[0])
	}
	mon := readFile(w.file)
	t.Logf("ip monitor reported %v %d times (additions and changes), deleted %d times",
		w.addr, strings.Count(mon, " inet "+w.addr.String()+"/")-len(svDeletions(mon, " inet "+w.addr.String()+"/")),
		len(svDeletions(mon, " inet "+w.addr.String()+"/")))
	if del := svDeletions(mon, " inet "+w.addr.String()+"/"); len(del) > 0 {
		t.Errorf("ip monitor saw %v deleted:\n%s", w.addr, strings.Join(del, "\n"))
	}
}
