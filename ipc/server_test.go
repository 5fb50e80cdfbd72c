package ipc

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
)

// serve runs a Server on a socket in a temporary directory.
func serve(t *testing.T, h Handler) string {
	t.Helper()
	return serveWith(t, &Server{Handler: h})
}

// serveWith runs srv, given a no-op logger and a short read timeout.
func serveWith(t *testing.T, srv *Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if srv.Log == nil {
		srv.Log = zap.NewNop()
	}
	if srv.ReadTimeout == 0 {
		srv.ReadTimeout = 200 * time.Millisecond
	}
	go func() { done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return path
}

func TestServerAnswersWithCaller(t *testing.T) {
	path := serve(t, func(_ context.Context, c Caller, req *Request) *Reply {
		if c.UID != uint32(os.Getuid()) || c.PID != int32(os.Getpid()) {
			return Fail(req, ErrInternal, "caller %+v", c)
		}
		r := OK(req)
		r.Message = req.Command + " " + req.Ifname
		return r
	})
	rep, err := (&Client{Socket: path}).Do(context.Background(), &Request{Command: CmdStatus, Ifname: "eth0"})
	if err != nil || rep.Message != "status eth0" || rep.ID == 0 {
		t.Fatalf("reply %+v, %v", rep, err)
	}
}

func TestServerErrorReplyIsError(t *testing.T) {
	path := serve(t, func(_ context.Context, _ Caller, req *Request) *Reply {
		return Fail(req, ErrUnkIf, "eth0 is not managed")
	})
	_, err := (&Client{Socket: path}).Do(context.Background(), &Request{Command: CmdStatus, Ifname: "eth0"})
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrUnkIf {
		t.Fatalf("err = %v, want UNKIF", err)
	}
}

// rawReply connects, writes b, and reads what the server answers.
func rawReply(t *testing.T, path string, b []byte) (*Reply, time.Duration) {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write(b); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	rep, err := ReadReply(conn)
	if err != nil {
		t.Fatalf("no reply: %v", err)
	}
	return rep, time.Since(start)
}

func TestServerProtoErrors(t *testing.T) {
	called := make(chan struct{}, 10)
	path := serve(t, func(_ context.Context, _ Caller, req *Request) *Reply {
		called <- struct{}{}
		return OK(req)
	})
	var oversize [4]byte
	binary.BigEndian.PutUint32(oversize[:], MaxRequest+1)
	half := []byte{0, 0, 0, 50, '{'}
	garbage := append([]byte{0, 0, 0, 3}, "abc"...)
	for name, b := range map[string][]byte{"oversize": oversize[:], "half-sent": half, "garbage": garbage} {
		t.Run(name, func(t *testing.T) {
			rep, _ := rawReply(t, path, b)
			if rep.Error != ErrProtocol {
				t.Fatalf("reply %+v, want PROTO", rep)
			}
		})
	}
	if len(called) != 0 {
		t.Fatal("the handler saw a malformed request")
	}
}

func TestClientNotRunning(t *testing.T) {
	_, err := (&Client{Socket: filepath.Join(t.TempDir(), "none.sock")}).Do(context.Background(), &Request{Command: CmdStatus})
	if !errors.Is(err, ErrNotRunning) {
		t.Fatalf("err = %v, want ErrNotRunning", err)
	}
}

// TestServerWatchSubscribesFirst: an event published after the subscription
// but before the client has read OK reaches the client, and the
// subscription ends when the client goes away.
func TestServerWatchSubscribesFirst(t *testing.T) {
	stopped := make(chan struct{})
	path := serveWith(t, &Server{
		Handler: func(_ context.Context, _ Caller, req *Request) *Reply { return OK(req) },
		Watch: func(Caller, *Request) (<-chan *Event, func()) {
			ch := make(chan *Event, 1)
			ch <- &Event{Ifname: "eth0", Kind: "state", State: "BOUND"} // before OK is written
			return ch, func() { close(stopped) }
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan *Event, 1)
	done := make(chan error, 1)
	go func() {
		done <- (&Client{Socket: path}).Watch(ctx, &Request{}, func(ev *Event) error {
			got <- ev
			return nil
		})
	}()
	if ev := <-got; ev.Ifname != "eth0" || ev.State != "BOUND" {
		t.Errorf("event %+v", ev)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch after cancel = %v, want nil", err)
	}
	<-stopped
}

// TestClientWatchInterruptedEarly: a watch interrupted before the agent
// answers ends without an error. The interruption comes once the agent
// has the whole request, so the client is certainly past its dial and
// waiting for the answer.
func TestClientWatchInterruptedEarly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan error, 1)
	go func() {
		conn, err := ln.Accept() // reads the request, never answers
		if err != nil {
			got <- err
			return
		}
		defer conn.Close()
		_, err = ReadRequest(conn)
		got <- err
		cancel()
		var b [1]byte
		_, _ = conn.Read(b[:])
	}()
	err = (&Client{Socket: path}).Watch(ctx, &Request{}, func(*Event) error { return nil })
	if err != nil {
		t.Errorf("Watch = %v, want nil", err)
	}
	if err := <-got; err != nil {
		t.Errorf("the agent's side: %v", err)
	}
}

// TestClientWatchInterruptedWhileDialling: an interruption that lands
// while the client is still connecting also ends the watch quietly, as
// Ctrl-C on agentctl watch should.
func TestClientWatchInterruptedWhileDialling(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{Socket: "unused", Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		cancel()
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: "unix", Err: ctx.Err()}
	}}
	if err := c.Watch(ctx, &Request{}, func(*Event) error { return nil }); err != nil {
		t.Errorf("Watch = %v, want nil", err)
	}
}

// TestServerCallerGone: the context a request is handled with is done
// once its client has gone, not only when the server stops: a command
// whose caller hung up (agentctl interrupted while it waits) is withdrawn
// where it still waits and no longer makes the next one PEND (SPEC §3).
// It stayed open until the command's own end, for ever with --wait -1,
// holding the connection's goroutine and its place meanwhile.
func TestServerCallerGone(t *testing.T) {
	started, gone := make(chan struct{}), make(chan struct{})
	path := serve(t, func(ctx context.Context, _ Caller, req *Request) *Reply {
		close(started)
		<-ctx.Done()
		close(gone)
		return OK(req)
	})
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	errc := make(chan error, 1)
	go func() {
		_, err := (&Client{Socket: path}).Do(ctx, &Request{Command: CmdStart, Ifname: "eth0"})
		errc <- err
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the request was not handled within 5 s")
	}
	select {
	case <-gone:
		t.Fatal("the request's context was done while its client waited")
	default:
	}
	hangUp()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the request's context outlived its client by 5 s")
	}
	if err := <-errc; err == nil {
		t.Fatal("the client that hung up had a reply")
	}
}

// TestServerHalfClosedClientAnswered: a client that shuts down only its
// writing half after its request (as a script may) has not gone: its
// request's context stays open and it reads the reply.
func TestServerHalfClosedClientAnswered(t *testing.T) {
	started, done := make(chan struct{}), make(chan struct{})
	release := make(chan struct{})
	path := serve(t, func(ctx context.Context, _ Caller, req *Request) *Reply {
		close(started)
		select {
		case <-release:
			return OK(req)
		case <-ctx.Done():
			close(done)
			return Fail(req, ErrInternal, "context done while the client waits")
		}
	})
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := WriteFrame(conn, &Request{Version: Version, ID: 3, Command: CmdStart, Ifname: "eth0"}); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.UnixConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the request was not handled within 5 s")
	}
	// A hang-up is seen within milliseconds (TestServerCallerGone); a
	// half-close must not be taken for one meanwhile.
	select {
	case <-done:
		t.Fatal("the half-closed client's request context was done")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	rep, err := ReadReply(conn)
	if err != nil || rep.Error != "" || rep.ID != 3 {
		t.Fatalf("reply to the half-closed client = %+v, %v; want OK with id 3", rep, err)
	}
}
