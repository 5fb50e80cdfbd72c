package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"
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
	conn, early, err := c.send(ctx, req)
	if err != nil {
		return early, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	return c.reply(ctx, conn)
}

// Watch sends a watch request and calls emit for every event until ctx
// ends, the agent closes the stream, or emit fails.
func (c *Client) Watch(ctx context.Context, req *Request, emit func(*Event) error) error {
	req.Command = CmdWatch
	conn, _, err := c.send(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return nil // interrupted while connecting: nothing to watch yet
		}
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := c.reply(ctx, conn); err != nil {
		if ctx.Err() != nil {
			return nil // interrupted before the agent answered: a watch ends so
		}
		return err
	}
	for {
		ev, err := ReadEvent(conn)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF):
			return fmt.Errorf("the agent closed the stream")
		case err != nil:
			return fmt.Errorf("read event: %w", err)
		}
		if err := emit(ev); err != nil {
			return err
		}
	}
}

// send connects and writes req. When the agent refused the connection
// before the request went (LIMIT), the write fails but its answer is there
// to read: it is returned as the reply and an *Error.
func (c *Client) send(ctx context.Context, req *Request) (net.Conn, *Reply, error) {
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
			return nil, nil, fmt.Errorf("%w at %s", ErrNotRunning, c.Socket)
		}
		return nil, nil, fmt.Errorf("connect to %s: %w", c.Socket, err)
	}
	req.Version = Version
	if req.ID == 0 {
		req.ID = c.ids.Add(1)
	}
	if err := WriteFrame(conn, req); err != nil {
		defer conn.Close()
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if rep, rerr := ReadReply(conn); rerr == nil && rep.Error != "" {
			return nil, rep, &Error{Code: rep.Error, Message: rep.Message}
		}
		return nil, nil, fmt.Errorf("send request: %w", err)
	}
	return conn, nil, nil
}

// reply reads one reply; an error code becomes *Error.
func (c *Client) reply(ctx context.Context, conn net.Conn) (*Reply, error) {
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
