//go:build integration

package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// captureFilter is what a Capture records: DHCP both ways, and ARP.
const captureFilter = "udp port 67 or udp port 68 or arp"

// Capture is tcpdump on ServerIface in the server namespace: every DHCP
// and ARP frame the server's link carried, whoever sent it. Packets that
// never reach the link (dropped by BlockUnicastToServer, say) are not in it.
type Capture struct {
	t       *testing.T
	file    string // tcpdump's stdout: the packets
	errFile string // its stderr: "listening on", statistics
	since   time.Time
	p       *proc
}

// StartCapture starts tcpdump -i eth-srv --immediate-mode -n -l -e -vv in the server
// namespace, waits until it listens, and stops it in cleanup (logging a
// summary of what it saw if the test failed).
func (l *Lab) StartCapture() *Capture {
	l.t.Helper()
	if _, err := exec.LookPath("tcpdump"); err != nil {
		l.t.Skip("tcpdump not installed; run scripts/deps.sh")
	}
	l.captures++
	c := &Capture{
		t:       l.t,
		file:    filepath.Join(l.Dir, fmt.Sprintf("capture-%d.txt", l.captures)),
		errFile: filepath.Join(l.Dir, fmt.Sprintf("capture-%d.err", l.captures)),
		since:   time.Now(),
	}
	// --immediate-mode: without it libpcap hands packets over a ring
	// buffer block at a time, up to a second late, and the packets of a
	// block still open when tcpdump is stopped are never printed.
	argv := []string{"tcpdump", "-i", ServerIface, "--immediate-mode", "-n", "-l", "-e", "-vv", captureFilter}
	c.p = l.startFiles("tcpdump", l.ServerNS, c.file, c.errFile, nil, argv)
	l.t.Cleanup(c.cleanup) // runs before the lab's cleanup deletes the namespace
	waitUntil(l.t, 10*time.Second, "tcpdump listening", func() error {
		if c.p.exited() {
			return fmt.Errorf("tcpdump exited: %v: %s", c.p.err, readFile(c.errFile))
		}
		if !strings.Contains(readFile(c.errFile), "listening on") {
			return fmt.Errorf("not yet listening")
		}
		return nil
	})
	return c
}

// Stop stops tcpdump; what it captured stays readable.
func (c *Capture) Stop() {
	if err := c.p.stop(); err != nil && !isSignaled(err) {
		c.t.Logf("tcpdump exit: %v: %s", err, readFile(c.errFile))
	}
}

func (c *Capture) cleanup() {
	c.Stop()
	if c.t.Failed() {
		var b strings.Builder
		ps := c.Packets()
		if len(ps) > 300 {
			fmt.Fprintf(&b, "(%d earlier packets left out)\n", len(ps)-300)
			ps = ps[len(ps)-300:]
		}
		for _, p := range ps {
			b.WriteString(p.Summary() + "\n")
		}
		c.t.Logf("capture on %s (%s):\n%s", ServerIface, captureFilter, b.String())
	}
}

// Lines returns the complete lines tcpdump has printed so far.
func (c *Capture) Lines() []string {
	text := readFile(c.file)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i] // a last line without its newline is still being written
	} else {
		text = ""
	}
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// Packets returns the packets captured so far. While tcpdump runs, the last
// packet is left out until its output has been quiet for 100 ms, as its
// indented lines may still be coming.
func (c *Capture) Packets() []Packet {
	running := !c.p.exited()
	var quiet bool
	if fi, err := os.Stat(c.file); err == nil {
		quiet = time.Since(fi.ModTime()) > 100*time.Millisecond
	}
	ps := parsePackets(c.Lines(), c.since)
	if running && !quiet && len(ps) > 0 {
		ps = ps[:len(ps)-1]
	}
	return ps
}

// Filter returns the captured packets for which match is true.
func (c *Capture) Filter(match func(Packet) bool) []Packet {
	var out []Packet
	for _, p := range c.Packets() {
		if match(p) {
			out = append(out, p)
		}
	}
	return out
}

// WaitFor polls until a captured line matches and returns it, or fails the
// test after timeout.
func (c *Capture) WaitFor(t testing.TB, timeout time.Duration, what string, match func(line string) bool) string {
	t.Helper()
	var found string
	waitUntil(t, timeout, what+" in the capture", func() error {
		for _, line := range c.Lines() {
			if match(line) {
				found = line
				return nil
			}
		}
		return fmt.Errorf("not seen in %d lines", len(c.Lines()))
	})
	return found
}

// WaitForPacket polls until a captured packet matches and returns the first
// one that does, or fails the test after timeout, listing what was seen.
func (c *Capture) WaitForPacket(t testing.TB, timeout time.Duration, what string, match func(Packet) bool) Packet {
	t.Helper()
	var found Packet
	waitUntil(t, timeout, what+" in the capture", func() error {
		ps := c.Packets()
		for _, p := range ps {
			if match(p) {
				found = p
				return nil
			}
		}
		return fmt.Errorf("not among the %d packets:\n%s", len(ps), summaries(ps))
	})
	return found
}

// NeverFor polls for d and fails the test as soon as a captured packet
// matches: "no such packet during d".
func (c *Capture) NeverFor(t testing.TB, d time.Duration, what string, match func(Packet) bool) {
	t.Helper()
	holdFor(t, d, "unexpected "+what+" in the capture", func() error {
		if ps := c.Filter(match); len(ps) > 0 {
			return fmt.Errorf("%s", summaries(ps))
		}
		return nil
	})
}

func summaries(ps []Packet) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\t" + p.Summary() + "\n")
	}
	return b.String()
}
