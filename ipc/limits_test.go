package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// asUIDs makes srv see each accepted connection as the next uid sent on
// the returned channel, in the order of connecting (the listen queue is
// first in, first out).
func asUIDs(srv *Server) chan<- uint32 {
	uids := make(chan uint32, 64)
	srv.peerOf = func(*net.UnixConn) (Caller, error) {
		select {
		case uid := <-uids:
			return Caller{UID: uid, GID: uid, PID: 1}, nil
		case <-time.After(5 * time.Second):
			return Caller{}, errors.New("the test sent no uid")
		}
	}
	return uids
}

func okHandler(_ context.Context, _ Caller, req *Request) *Reply { return OK(req) }

// idle connects and sends nothing; the test closes it.
func idle(t *testing.T, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// releases reports every place srv gives back, as "kind uid".
func releases(srv *Server) <-chan string {
	ch := make(chan string, 64)
	srv.released = func(kind string, uid uint32) { ch <- fmt.Sprintf("%s %d", kind, uid) }
	return ch
}

func want(t *testing.T, ch <-chan string, v string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != v {
			t.Fatalf("released %q, want %q", got, v)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%q never released", v)
	}
}

func wantCode(t *testing.T, err error, c Code, detail string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != c || !strings.Contains(e.Message, detail) {
		t.Fatalf("err = %v, want %s mentioning %q", err, c, detail)
	}
}

// TestLimitConnsPerUID: a uid holding its ConnsPerUID connections is
// refused with LIMIT, root is served regardless, and the uid is served
// again once one of its connections closes.
func TestLimitConnsPerUID(t *testing.T) {
	srv := &Server{Handler: okHandler, Limits: Limits{ConnsPerUID: 2, Conns: 10}, ReadTimeout: time.Minute}
	uids, rel := asUIDs(srv), releases(srv)
	path := serveWith(t, srv)
	c := &Client{Socket: path}
	ctx := context.Background()

	// Connections are admitted in the order they connect: the one refused
	// was accepted after the two idle ones.
	uids <- 1000
	first := idle(t, path)
	uids <- 1000
	idle(t, path)
	uids <- 1000
	_, err := c.Do(ctx, &Request{Command: CmdStatus})
	wantCode(t, err, ErrLimit, "conns_per_uid limit 2")
	uids <- 0
	if _, err := c.Do(ctx, &Request{Command: CmdStatus}); err != nil {
		t.Fatalf("root refused: %v", err)
	}
	want(t, rel, "conn 0")
	uids <- 1001
	if _, err := c.Do(ctx, &Request{Command: CmdStatus}); err != nil {
		t.Fatalf("another uid refused: %v", err)
	}
	want(t, rel, "conn 1001")
	first.Close()
	want(t, rel, "conn 1000")
	uids <- 1000
	if _, err := c.Do(ctx, &Request{Command: CmdStatus}); err != nil {
		t.Fatalf("uid 1000 refused after closing a connection: %v", err)
	}
	if got := srv.Refused()[RefusedConnsPerUID]; got != 1 {
		t.Errorf("refused for conns_per_uid %d times, want 1", got)
	}
}

// TestLimitConns: unprivileged uids together hold at most Conns.
func TestLimitConns(t *testing.T) {
	srv := &Server{Handler: okHandler, Limits: Limits{ConnsPerUID: 5, Conns: 3}, ReadTimeout: time.Minute}
	uids := asUIDs(srv)
	path := serveWith(t, srv)
	for uid := uint32(1001); uid <= 1003; uid++ {
		uids <- uid
		idle(t, path)
	}
	uids <- 1004
	_, err := (&Client{Socket: path}).Do(context.Background(), &Request{Command: CmdStatus})
	wantCode(t, err, ErrLimit, "conns limit 3")
	for range 5 { // root is never counted nor refused
		uids <- 0
		idle(t, path)
	}
	uids <- 0
	if _, err := (&Client{Socket: path}).Do(context.Background(), &Request{Command: CmdStatus}); err != nil {
		t.Fatalf("root refused: %v", err)
	}
	if n := srv.Open(); n < 8 {
		t.Errorf("serving %d connections, want the 3 + 5 idle ones", n)
	}
	if r := srv.Refused(); r[RefusedConns] != 1 || r[RefusedConnsPerUID] != 0 {
		t.Errorf("refusals %v, want one for conns", r)
	}
}

// TestLimitWatches: watch streams are bounded per uid and in total; root's
// are not; a stream ended gives its place back.
func TestLimitWatches(t *testing.T) {
	subscribed := make(chan uint32, 8)
	srv := &Server{Handler: okHandler, Limits: Limits{WatchesPerUID: 1, Watches: 2},
		Watch: func(c Caller, _ *Request) (<-chan *Event, func()) {
			subscribed <- c.UID
			return make(chan *Event), func() {}
		}}
	uids, rel := asUIDs(srv), releases(srv)
	path := serveWith(t, srv)
	c := &Client{Socket: path}
	// watch starts a stream as uid: served, it returns the function that
	// ends it; refused, the client's error.
	watch := func(uid uint32) (func(), error) {
		uids <- uid
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Watch(ctx, &Request{}, func(*Event) error { return nil }) }()
		select {
		case err := <-done:
			cancel()
			return nil, err
		case got := <-subscribed:
			if got != uid {
				t.Fatalf("subscribed uid %d, want %d", got, uid)
			}
			return func() { cancel(); <-done }, nil
		case <-time.After(5 * time.Second):
			cancel()
			t.Fatal("watch neither served nor refused")
			return nil, nil
		}
	}
	stop1000, err := watch(1000)
	if err != nil {
		t.Fatal(err)
	}
	_, err = watch(1000)
	wantCode(t, err, ErrLimit, "watches_per_uid limit 1")
	want(t, rel, "conn 1000")
	stop1001, err := watch(1001)
	if err != nil {
		t.Fatal(err)
	}
	_, err = watch(1002)
	wantCode(t, err, ErrLimit, "watches limit 2")
	want(t, rel, "conn 1002")
	stopRoot, err := watch(0)
	if err != nil {
		t.Fatalf("root's watch refused: %v", err)
	}
	stopRoot()
	want(t, rel, "watch 0")
	want(t, rel, "conn 0")
	stop1000()
	want(t, rel, "watch 1000")
	want(t, rel, "conn 1000")
	stop, err := watch(1002)
	if err != nil {
		t.Fatalf("uid 1002 refused after a stream ended: %v", err)
	}
	stop()
	stop1001()
	if r := srv.Refused(); r[RefusedWatchesPerUID] != 1 || r[RefusedWatches] != 1 {
		t.Errorf("refusals %v", r)
	}
}

// TestRefusalLogRateLimited: refusals are all counted, but one reason is
// logged at most once a second, with the number left unlogged.
func TestRefusalLogRateLimited(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	u := newUsage(Limits{})
	now := time.Unix(1000, 0)
	for range 5 {
		u.refuse(zap.New(core), now, RefusedTimeout)
	}
	u.refuse(zap.New(core), now, RefusedMalformed) // another reason: its own budget
	now = now.Add(logEvery)
	u.refuse(zap.New(core), now, RefusedTimeout)
	if got := u.snapshot()[RefusedTimeout]; got != 6 {
		t.Errorf("counted %d timeouts, want 6", got)
	}
	lines := logs.All()
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3: %v", len(lines), lines)
	}
	last := lines[2].ContextMap()
	if last["reason"] != RefusedTimeout || last["unlogged_since_last"] != uint64(4) {
		t.Errorf("last line %v, want timeout with 4 unlogged", last)
	}
}

// TestSlowlorisCounted: a request that trickles in is cut off at
// ReadTimeout from connecting, answered PROTO and counted as a timeout;
// one that is garbage is counted as malformed.
func TestSlowlorisCounted(t *testing.T) {
	srv := &Server{Handler: okHandler, ReadTimeout: 100 * time.Millisecond}
	path := serveWith(t, srv)
	conn := idle(t, path)
	deadline := time.Now().Add(5 * time.Second)
	_ = conn.SetDeadline(deadline)
	for _, b := range []byte{0, 0, 0, 40, '{'} { // a byte at a time, never the whole frame
		if _, err := conn.Write([]byte{b}); err != nil {
			break
		}
	}
	rep, err := ReadReply(conn)
	if err != nil || rep.Error != ErrProtocol {
		t.Fatalf("reply %+v, %v; want PROTO", rep, err)
	}
	if rep, _ := rawReply(t, path, append([]byte{0, 0, 0, 1}, 'x')); rep.Error != ErrProtocol {
		t.Fatalf("garbage: %+v", rep)
	}
	if r := srv.Refused(); r[RefusedTimeout] != 1 || r[RefusedMalformed] != 1 {
		t.Errorf("refusals %v, want one timeout and one malformed", r)
	}
}
