//go:build integration

package integration

// `agentctl -o json watch` in the background, for the IPC proofs.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// watchEvent is a line of `agentctl -o json watch` (docs/ipc.md).
type watchEvent struct {
	Time     *time.Time `json:"time"`
	Ifname   string     `json:"ifname"`
	Kind     string     `json:"kind"`
	State    string     `json:"state"`
	From     string     `json:"from"`
	Event    string     `json:"event"`
	Address  string     `json:"address"`
	Sent     *uint64    `json:"sent"`
	Received *uint64    `json:"received"`
	Declined *uint64    `json:"declined"`
	Until    *time.Time `json:"until"` // entering V6ONLY (RFC 8925)
}

// Watch is `agentctl -o json watch` running in the client namespace.
type Watch struct {
	out, errOut string
	p           *proc
}

// StartWatch starts `agentctl -o json watch` with cred (nil: as root) and
// waits until the agent has logged the watch command of that user. The
// lab's cleanup stops it if the test does not.
func (l *Lab) StartWatch(cred []string, uid int) *Watch {
	l.t.Helper()
	if l.ctlBin == "" {
		l.agentBin, l.ctlBin = findBinaries(l.t)
	}
	n := len(l.others)
	w := &Watch{
		out:    filepath.Join(l.Dir, fmt.Sprintf("watch-%d.out", n)),
		errOut: filepath.Join(l.Dir, fmt.Sprintf("watch-%d.err", n)),
	}
	var argv []string
	if cred != nil {
		argv = append(append([]string{"setpriv"}, cred...), "--")
	}
	argv = append(argv, l.ctlBin, "--socket", l.Socket, "-o", "json", "watch")
	since := l.LogSize()
	w.p = l.startFiles("agentctl watch", l.ClientNS, w.out, w.errOut, nil, argv)
	l.others = append(l.others, w.p)
	waitUntil(l.t, 5*time.Second, "the agent to log the watch command", func() error {
		if w.p.exited() {
			return fmt.Errorf("agentctl watch exited: %v: %s", w.p.err, readFile(w.errOut))
		}
		for _, c := range l.Commands(since) {
			if c.Command == "watch" && c.UID != nil && *c.UID == uid {
				return nil
			}
		}
		return fmt.Errorf("not logged yet")
	})
	l.syncWatch(w)
	return w
}

// syncLink is a veth link whose peer is in the client namespace too; its
// events tell a test that its watch is subscribed.
const syncLink = "ipc-sync0"

// syncWatch returns once the watch has printed an event. The agent
// answers a watch request before it subscribes to events (and logs the
// command before both), so neither the OK nor the log line promises that
// the next event is seen. The event comes from starting syncLink (a veth
// whose peer is in the client namespace too, so its DISCOVERs never leave
// it), then dropping it; its events stay in the watch's output, and tests
// filter by ifname.
func (l *Lab) syncWatch(w *Watch) {
	l.t.Helper()
	if _, err := l.ClientExec("ip", "link", "show", syncLink); err != nil {
		for _, c := range [][]string{
			{"ip", "link", "add", syncLink, "type", "veth", "peer", "name", syncLink + "p"},
			{"ip", "link", "set", syncLink + "p", "up"},
			{"ip", "link", "set", syncLink, "up"},
		} {
			if _, err := l.ClientExec(c...); err != nil {
				l.t.Fatal(err)
			}
		}
	}
	seen := func() bool {
		evs, _ := w.Events()
		for _, e := range evs {
			if e.Ifname == syncLink {
				return true
			}
		}
		return false
	}
	for range 10 {
		r := l.CtlRoot("start", syncLink, "--wait", "0")
		if r.Code != l.ExitStatus("TIMEOUT") {
			l.t.Fatalf("%v; want TIMEOUT", r)
		}
		started := eventually(time.Second, seen)
		if r := l.CtlRoot("drop", syncLink); r.Code != 0 {
			l.t.Fatalf("%v", r)
		}
		if started || eventually(time.Second, seen) {
			return
		}
	}
	l.t.Fatalf("agentctl watch printed no event of %s in 10 tries: %s", syncLink, readFile(w.errOut))
}

// Events returns the complete JSON lines printed so far, decoded; a line
// that is not a JSON event is an error.
func (w *Watch) Events() ([]watchEvent, error) {
	text := readFile(w.out)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i+1]
	} else {
		text = ""
	}
	var evs []watchEvent
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var ev watchEvent
		if err := dec.Decode(&ev); err != nil {
			return evs, fmt.Errorf("watch line %q: %w", line, err)
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// Interrupt sends SIGINT and waits (5 s at most) for agentctl to exit; it
// returns its stderr and exit error.
func (w *Watch) Interrupt() (stderr string, err error) {
	if err := w.p.signal(syscall.SIGINT); err != nil {
		return readFile(w.errOut), err
	}
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case <-w.p.done:
		return readFile(w.errOut), w.p.err
	case <-timer.C:
		w.p.kill()
		return readFile(w.errOut), fmt.Errorf("agentctl watch still running 5 s after SIGINT; killed")
	}
}

// eventually polls f every 20 ms for up to d and reports whether it
// returned true: waitUntil for callers that go on either way.
func eventually(d time.Duration, f func() bool) bool {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !f() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}
