package agent

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// controlWithRequest serves the control socket with handle, and sends one
// request on a connection it returns once handle has it.
func controlWithRequest(t *testing.T, handle func(ctx context.Context, req *ipc.Request) *ipc.Reply) (*controlServer, *net.UnixConn) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, closeSocket, err := listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeSocket)
	got := make(chan struct{})
	srv := &ipc.Server{Log: zap.NewNop(), Handler: func(ctx context.Context, _ ipc.Caller, req *ipc.Request) *ipc.Reply {
		close(got)
		return handle(ctx, req)
	}}
	ctl := serveControl(srv, ln)
	t.Cleanup(func() {
		ctl.cancel()
		select { // the server's goroutines end with the test
		case <-ctl.done:
		case <-time.After(5 * time.Second):
			t.Error("the control server did not end")
		}
	})
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := ipc.WriteFrame(conn, &ipc.Request{Version: ipc.Version, ID: 7, Command: ipc.CmdStatus}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not reach the handler")
	}
	return ctl, conn
}

// queued is how many bytes the kernel holds for conn to read.
func queued(t *testing.T, conn *net.UnixConn) int {
	t.Helper()
	rc, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ierr error
	if err := rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }); err != nil || ierr != nil {
		t.Fatalf("SIOCINQ: %v %v", err, ierr)
	}
	return n
}

// TestControlStopWritesInFlightAnswers: a request in flight when the
// agent stops gets its answer (SHUTDOWN) on the wire before the server's
// stop returns, so before Run returns and main exits (SPEC §3: every
// command gets exactly one answer). The stop used to cancel the server
// and return at once.
func TestControlStopWritesInFlightAnswers(t *testing.T) {
	cancelled, proceed := make(chan struct{}), make(chan struct{})
	ctl, conn := controlWithRequest(t, func(ctx context.Context, req *ipc.Request) *ipc.Reply {
		<-ctx.Done() // as control.Forward: the agent stops
		close(cancelled)
		<-proceed
		return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
	})
	stopped := make(chan error, 1)
	go func() { stopped <- ctl.stop(5 * time.Second) }()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not end the in-flight request's wait")
	}
	close(proceed)
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("stop: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not return once the answer was written")
	}
	if n := queued(t, conn); n == 0 {
		t.Fatal("stop returned before the in-flight request's answer was on the wire")
	}
	rep, err := ipc.ReadReply(conn)
	if err != nil || rep.Error != ipc.ErrShutdown || rep.ID != 7 {
		t.Fatalf("reply %+v, %v; want SHUTDOWN for request 7", rep, err)
	}
}

// TestControlStopBounded: a handler that never returns (a reply nobody
// reads) holds the stop no longer than its bound.
func TestControlStopBounded(t *testing.T) {
	hold := make(chan struct{})
	defer close(hold)
	ctl, _ := controlWithRequest(t, func(_ context.Context, req *ipc.Request) *ipc.Reply {
		<-hold
		return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
	})
	stopped := make(chan error, 1)
	go func() { stopped <- ctl.stop(50 * time.Millisecond) }()
	select {
	case err := <-stopped:
		if err == nil {
			t.Fatal("stop reported the server done while a handler still ran")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stop waited past its bound")
	}
}
