//go:build integration

package integration

// The IPC server under abuse (issue 4): requests that never complete,
// oversize and malformed ones, and a thousand clients at once.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestIPCBadRequests: requests that never complete (a few bytes, then
// silence) are answered PROTO and closed 3 s after the connection was
// made; oversize and malformed ones at once; meanwhile other clients'
// status requests are answered without delay. A request of exactly
// 65,536 bytes is still served.
func TestIPCBadRequests(t *testing.T) {
	// Not parallel: "at once" and "without delay" are measured, and a
	// flood in a neighbouring test would measure the machine instead.
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	startBound(t, lab, "5")

	frame := func(body string) []byte {
		var b bytes.Buffer
		_ = writeFrame(&b, []byte(body))
		return b.Bytes()
	}
	length := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	status := statusBody(7)
	cases := []struct {
		name       string
		head, tail []byte // tail is written in the background
		slow       bool   // never completes: answered at the 3 s deadline
	}{
		{name: "two bytes of the length", head: length(40)[:2], slow: true},
		{name: "length and half the body", head: frame(status)[:4+len(status)/2], slow: true},
		{name: "length over 64 KiB", head: length(64<<10 + 1), tail: bytes.Repeat([]byte(" "), 64<<10+1)},
		{name: "length 4 GiB", head: length(0xffffffff)},
		{name: "not JSON", head: frame("status please")},
		{name: "unknown field", head: frame(`{"version":1,"id":7,"command":"status","colour":"red"}`)},
		{name: "version 2", head: frame(`{"version":2,"id":7,"command":"status"}`)},
		{name: "no command", head: frame(`{"version":1,"id":7}`)},
		{name: "two requests in one frame", head: frame(status + status)},
	}
	type outcome struct {
		elapsed time.Duration
		rep     ipcReply
		err     error
		trailer int   // bytes after the reply
		eofErr  error // reading to EOF after the reply
	}
	// send connects, writes head (and, in the background, tail), then
	// reads the reply and waits for the agent to close the connection.
	send := func(head, tail []byte) (o outcome) {
		began := time.Now()
		defer func() { o.elapsed = time.Since(began) }()
		conn, err := lab.DialIPC()
		if err != nil {
			return outcome{err: err}
		}
		defer conn.Close()
		_ = conn.SetDeadline(began.Add(10 * time.Second))
		if _, err := conn.Write(head); err != nil {
			return outcome{err: err}
		}
		if tail != nil {
			go func() { _, _ = conn.Write(tail) }() // the agent may close before it is all read
		}
		if o.rep, o.err = readReply(conn); o.err == nil {
			o.trailer, o.eofErr = readEOF(conn)
		}
		return o
	}

	results := make([]outcome, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Go(func() { results[i] = send(c.head, c.tail) })
	}
	// Other clients meanwhile: a status request every 100 ms, each
	// answered within a second (the machine may be loaded; the slow
	// requests hold their connections for 3 s), until every bad request
	// has its answer.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	served := 0
serve:
	for id := 100; ; id++ {
		select {
		case <-done:
			break serve
		case <-tick.C:
		}
		began := time.Now()
		rep, err := lab.rawRequest(statusBody(id), 3*time.Second)
		d := time.Since(began)
		if err != nil || rep.Error != "" || rep.ID != uint64(id) || rep.Status == nil || rep.Status.State != "BOUND" || d > time.Second {
			t.Errorf("status request %d while bad requests wait: %+v, %v after %v; want BOUND within 1 s", id, rep, err, d)
		}
		served++
	}
	t.Logf("%d status requests served while the bad requests waited", served)
	if served < 10 {
		t.Errorf("only %d status requests served while the slow requests waited 3 s", served)
	}

	for i, c := range cases {
		o := results[i]
		t.Logf("%s: %s after %v", c.name, o.rep.Error, o.elapsed.Round(time.Millisecond))
		if o.err != nil || o.rep.Error != "PROTO" || o.rep.Message == "" {
			t.Errorf("%s: reply %+v, %v; want PROTO with a message", c.name, o.rep, o.err)
			continue
		}
		// Closed: EOF, or ECONNRESET when the agent closed with part of
		// the request unread.
		if o.trailer != 0 || o.eofErr != nil && !errors.Is(o.eofErr, syscall.ECONNRESET) {
			t.Errorf("%s: after the reply %d more bytes and %v; want the connection closed", c.name, o.trailer, o.eofErr)
		}
		switch {
		case c.slow && (o.elapsed < 2500*time.Millisecond || o.elapsed > 4500*time.Millisecond):
			t.Errorf("%s: closed after %v, want 3 s after connecting (2.5-4.5 s)", c.name, o.elapsed)
		case !c.slow && o.elapsed > time.Second:
			t.Errorf("%s: answered after %v, want at once", c.name, o.elapsed)
		}
	}

	// The largest request allowed: 65,536 bytes of JSON (padded with
	// spaces) is served like any other.
	body := statusBody(9)
	body += strings.Repeat(" ", 64<<10-len(body))
	rep, err := lab.rawRequest(body, 5*time.Second)
	if err != nil || rep.Error != "" || rep.Status == nil || rep.Status.State != "BOUND" || rep.ID != 9 {
		t.Errorf("a request of exactly 64 KiB: %+v, %v; want the status", rep, err)
	}
}

// TestIPCManyClients: 1,000 clients connect at once while the interface
// is SELECTING (no server), each sends a status request: the agent holds
// all 1,000 connections at the same time, answers every one correctly,
// and afterwards its goroutine count (debug-stats) returns to what it was.
func TestIPCManyClients(t *testing.T) {
	// Not parallel: 1,000 clients at once load both cores.
	const clients = 1000
	lab := newLab(t, LabOptions{Server: Dnsmasq, AgentArgs: []string{"--test-hooks"}})
	lab.StopServer()
	checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "0"), "TIMEOUT")
	statusIs(t, lab, 2*time.Second, "SELECTING", "BUSY")
	base := lab.Goroutines()

	conns := make([]*net.UnixConn, 0, clients)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range clients {
		c, err := lab.DialIPC()
		if err != nil {
			t.Fatalf("connection %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
	}
	// Every connection is open and has sent nothing yet (well within the
	// 3 s allowed): the agent serves each of them at once, and the count
	// is exact (this request's own connection is the one more), where a
	// goroutine count moves with whatever else the agent is doing.
	waitUntil(t, 2*time.Second, "the agent to serve every connection at once", func() error {
		if n := lab.IPCConns(); n != clients+1 {
			return fmt.Errorf("%d control connections served, want %d + 1", n, clients)
		}
		return nil
	})
	peak := lab.Goroutines()

	began := time.Now()
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			id := 1000 + i
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			if err := writeFrame(c, []byte(statusBody(id))); err != nil {
				errs <- fmt.Errorf("client %d: write: %w", id, err)
				return
			}
			rep, err := readReply(c)
			switch {
			case err != nil:
				errs <- fmt.Errorf("client %d: %w", id, err)
			case rep.ID != uint64(id) || rep.Version != 1 || rep.Error != "" || rep.Status == nil ||
				rep.Status.Ifname != ClientIface || rep.Status.State != "SELECTING":
				errs <- fmt.Errorf("client %d: reply %+v, want id %d and %s SELECTING", id, rep, id, ClientIface)
			}
		})
	}
	wg.Wait()
	close(errs)
	t.Logf("%d status requests answered in %v", clients, time.Since(began).Round(time.Millisecond))
	var failed []error
	for err := range errs {
		failed = append(failed, err)
	}
	if len(failed) > 0 {
		t.Errorf("%d of %d clients failed; the first: %v", len(failed), clients, errors.Join(failed[:min(5, len(failed))]...))
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil

	const slack = 5
	var after int
	waitUntil(t, 10*time.Second, "the agent's goroutines to return to their count before", func() error {
		if after = lab.Goroutines(); after > base+slack {
			return fmt.Errorf("%d goroutines, %d before", after, base)
		}
		return nil
	})
	t.Logf("agent goroutines: %d before, %d with the clients connected, %d after", base, peak, after)
	statusIs(t, lab, time.Second, "SELECTING", "BUSY")
}
