package ipc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
)

// emfileChild is the environment variable that makes the test binary the
// agent side of TestAcceptOutOfDescriptors: a server on the socket it
// names, with a descriptor limit a few above what it has open.
const emfileChild = "IPC_TEST_EMFILE_SOCKET"

func TestMain(m *testing.M) {
	if path := os.Getenv(emfileChild); path != "" {
		os.Exit(runEMFILEChild(path))
	}
	os.Exit(m.Run())
}

// runEMFILEChild serves until killed; its handler answers the refusals
// counted so far. It prints "ready" once its descriptors are limited.
func runEMFILEChild(path string) int {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	srv := &Server{Log: zap.NewNop(), ReadTimeout: time.Minute, Limits: Limits{ConnsPerUID: 1000, Conns: 1000}}
	// The parent is root or not; it plays root by binding its end of the
	// connection to an abstract name starting with "root", anyone else
	// otherwise.
	srv.peerOf = func(conn *net.UnixConn) (Caller, error) {
		if a, ok := conn.RemoteAddr().(*net.UnixAddr); ok && strings.HasPrefix(a.Name, "@root") {
			return Caller{UID: 0}, nil
		}
		return Caller{UID: 1000, GID: 1000}, nil
	}
	srv.Handler = func(_ context.Context, _ Caller, req *Request) *Reply {
		r := OK(req)
		r.Message = fmt.Sprint(srv.Refused()[RefusedDescriptors])
		return r
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	limit := uint64(len(fds) + 8)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("ready")
	err = srv.Run(context.Background(), ln)
	fmt.Println("Run returned:", err) // it must not: the parent sees the exit
	return 1
}

// TestAcceptOutOfDescriptors: a server out of descriptors (more idle
// connections than it may open) neither exits nor spins: connections
// beyond are accepted with the reserved descriptor and closed, counted as
// refusals; root is served even then; and once the idle connections go,
// everyone is served again.
func TestAcceptOutOfDescriptors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), emfileChild+"="+path)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("child: %q", lines.Text())
	}
	go func() {
		for lines.Scan() {
			t.Logf("child: %s", lines.Text())
		}
		exited <- child.Wait()
	}()
	t.Cleanup(func() { _ = child.Process.Kill(); <-exited })

	// More idle connections than the child has descriptors: the kernel
	// queues them (backlog) and the child accepts what it can.
	var conns []net.Conn
	for range 40 {
		conn, err := net.Dial("unix", path)
		if err != nil {
			break // the listen queue is full: the child is at its limit
		}
		conns = append(conns, conn)
	}
	if len(conns) < 20 {
		t.Fatalf("only %d connections", len(conns))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	as := func(who string) *Client {
		return &Client{Socket: path, Dial: func(ctx context.Context, path string) (net.Conn, error) {
			n++
			d := net.Dialer{LocalAddr: &net.UnixAddr{Name: fmt.Sprintf("@%s-%d-%d", who, os.Getpid(), n), Net: "unix"}}
			return d.DialContext(ctx, "unix", path)
		}}
	}
	// The child is out of descriptors now; another user is told LIMIT (or
	// finds the connection closed), root is served on the reserved one.
	_, err = as("user").Do(ctx, &Request{Command: CmdStatus})
	if e, ok := err.(*Error); err == nil || !(ok && e.Code == ErrLimit) && !strings.Contains(err.Error(), "EOF") &&
		!strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("another user out of descriptors: %v", err)
	}
	rep, err := as("root").Do(ctx, &Request{Command: CmdStatus})
	if err != nil {
		t.Fatalf("root not served while the server was out of descriptors: %v", err)
	}
	if rep.Message == "0" {
		t.Errorf("served, but no descriptor refusal counted")
	}
	for _, conn := range conns {
		conn.Close()
	}
	// The child gives a descriptor back when it reads the EOF of an idle
	// connection, a moment after the close here: until then a request may
	// still be told LIMIT. It must be served before the deadline.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		rep, err = as("user").Do(ctx, &Request{Command: CmdStatus})
		if e, ok := err.(*Error); err == nil || !ok || e.Code != ErrLimit {
			break
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	if err != nil {
		t.Fatalf("not served after the idle connections went: %v", err)
	}
	if rep.Message == "0" {
		t.Errorf("no descriptor refusal counted")
	}
	select {
	case err := <-exited:
		t.Fatalf("the server exited: %v", err)
	default:
	}
}
