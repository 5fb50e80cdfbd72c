//go:build integration

package integration

// A raw client of the control socket for the IPC proofs: the wire format
// of docs/ipc.md (a 4-byte big-endian length, then JSON) written by hand.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"time"
)

// ipcReply is a reply frame as docs/ipc.md describes it.
type ipcReply struct {
	Version  int          `json:"version"`
	ID       uint64       `json:"id"`
	Error    string       `json:"error"`
	Message  string       `json:"message"`
	Status   *fullStatus  `json:"status"`
	Statuses []fullStatus `json:"statuses"`
}

// DialIPC connects to the agent's socket from the test process (a unix
// socket path is reachable from any network namespace).
func (l *Lab) DialIPC() (*net.UnixConn, error) {
	return net.DialUnix("unix", nil, &net.UnixAddr{Name: l.Socket, Net: "unix"})
}

// writeFrame writes a 4-byte big-endian length, then body.
func writeFrame(w io.Writer, body []byte) error {
	b := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	_, err := w.Write(append(b, body...))
	return err
}

// readReply reads one frame and decodes it as a reply.
func readReply(r io.Reader) (ipcReply, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return ipcReply{}, fmt.Errorf("reply header: %w", err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > 16<<20 {
		return ipcReply{}, fmt.Errorf("reply of %d bytes", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return ipcReply{}, fmt.Errorf("reply body: %w", err)
	}
	var rep ipcReply
	if err := json.Unmarshal(body, &rep); err != nil {
		return ipcReply{}, fmt.Errorf("reply %q: %w", body, err)
	}
	return rep, nil
}

// rawRequest is one request on a connection of its own: the JSON body
// written as a frame, the reply read back, the connection closed. It
// gives up after timeout.
func (l *Lab) rawRequest(body string, timeout time.Duration) (ipcReply, error) {
	conn, err := l.DialIPC()
	if err != nil {
		return ipcReply{}, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return ipcReply{}, err
	}
	if err := writeFrame(conn, []byte(body)); err != nil {
		return ipcReply{}, fmt.Errorf("write: %w", err)
	}
	return readReply(conn)
}

// statusBody is a status request for ClientIface with request id id.
func statusBody(id int) string {
	return fmt.Sprintf(`{"version":1,"id":%d,"command":"status","ifname":%q}`, id, ClientIface)
}

// Goroutines returns the agent's goroutine count (the debug-stats test
// hook: the agent must run with --test-hooks).
func (l *Lab) Goroutines() int {
	l.t.Helper()
	g, _ := l.debugStats()
	return g
}

// IPCConns is the number of control connections the agent is serving,
// this request's own included.
func (l *Lab) IPCConns() int {
	l.t.Helper()
	_, c := l.debugStats()
	return c
}

// debugStats asks for the agent's goroutine and control connection counts
// ("GOROUTINES conns=N").
func (l *Lab) debugStats() (goroutines, conns int) {
	l.t.Helper()
	rep, err := l.rawRequest(`{"version":1,"id":1,"command":"debug-stats"}`, 5*time.Second)
	if err != nil || rep.Error != "" {
		l.t.Fatalf("debug-stats: %+v, %v", rep, err)
	}
	if _, err := fmt.Sscanf(rep.Message, "%d conns=%d", &goroutines, &conns); err != nil {
		l.t.Fatalf("debug-stats message %q: %v", rep.Message, err)
	}
	return goroutines, conns
}

// readEOF reads from conn until EOF, an error, or the deadline already set
// on conn; it returns how many bytes came and the error (nil on EOF).
func readEOF(conn net.Conn) (int, error) {
	n, err := io.Copy(io.Discard, conn)
	return int(n), err
}
