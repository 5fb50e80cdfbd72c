package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
)

// ErrNotRunning means nothing is listening on the socket.
var ErrNotRunning = errors.New("agent is not running")

// Client sends requests to the agent.
type Client struct {
	Socket string
	// Dial connects to the socket; tests may replace it.
	Dial func(ctx context.Context, path string) (net.Conn, error)
	ids  atomic.Uint64
}

// Do sends req and returns the reply. A reply carrying an error code is
// returned as *Error alongside the reply.
func (c *Client) Do(ctx context.Context, req *Request) (*Reply, error) {
	dial := c.Dial
	if dial == nil {
		var d net.Dialer
		dial = func(ctx context.Context, path string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		}
	}
	conn, err := dial(ctx, c.Socket)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w at %s", ErrNotRunning, c.Socket)
		}
		return nil, fmt.Errorf("connect to %s: %w", c.Socket, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	req.Version = Version
	if req.ID == 0 {
		req.ID = c.ids.Add(1)
	}
	if err := WriteFrame(conn, req); err != nil {
		return nil, fmt.Errorf("send request: %w", err)
	}
	rep, err := ReadReply(conn)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("read reply: %w", err)
	}
	if rep.Error != "" {
		return rep, &Error{Code: rep.Error, Message: rep.Message}
	}
	return rep, nil
}
