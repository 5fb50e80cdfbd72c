package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// Caller identifies the process at the other end of a connection, from
// SO_PEERCRED: the kernel's word, not the client's.
type Caller struct {
	UID, GID uint32
	PID      int32
}

// Handler answers one request. It may block (the server calls it on the
// connection's own goroutine) and must honour ctx, which is cancelled when
// the server stops.
type Handler func(ctx context.Context, c Caller, req *Request) *Reply

// Server serves the control socket.
type Server struct {
	Handler Handler
	Log     *zap.Logger
	// WriteTimeout bounds writing a reply to a client that stopped reading.
	WriteTimeout time.Duration
	// ReadTimeout bounds the arrival of the whole request; RequestTimeout
	// when zero.
	ReadTimeout time.Duration
}

// Run accepts connections on ln until ctx is done, then closes ln and waits
// for the connections in flight.
func (s *Server) Run(ctx context.Context, ln *net.UnixListener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		conn, err := ln.AcceptUnix()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serve(ctx, conn)
		}()
	}
}

func (s *Server) serve(ctx context.Context, conn *net.UnixConn) {
	defer conn.Close()
	caller, err := peer(conn)
	if err != nil {
		s.Log.Warn("control connection without credentials", zap.Error(err))
		return
	}
	// The whole request must arrive within RequestTimeout of connecting.
	rt := s.ReadTimeout
	if rt == 0 {
		rt = RequestTimeout
	}
	_ = conn.SetReadDeadline(time.Now().Add(rt))
	req, err := ReadRequest(conn)
	if err != nil {
		s.Log.Warn("malformed control request", zap.Uint32("uid", caller.UID), zap.Error(err))
		s.write(conn, Fail(nil, ErrProtocol, "%v", err))
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	s.write(conn, s.Handler(ctx, caller, req))
}

func (s *Server) write(conn *net.UnixConn, r *Reply) {
	wt := s.WriteTimeout
	if wt == 0 {
		wt = 10 * time.Second
	}
	_ = conn.SetWriteDeadline(time.Now().Add(wt))
	r.Version = Version
	if err := WriteFrame(conn, r); err != nil {
		s.Log.Debug("control reply not delivered", zap.Error(err))
	}
}

// peer reads the caller's credentials from the connection.
func peer(conn *net.UnixConn) (Caller, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return Caller{}, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return Caller{}, err
	}
	if cerr != nil {
		return Caller{}, fmt.Errorf("SO_PEERCRED: %w", cerr)
	}
	return Caller{UID: cred.Uid, GID: cred.Gid, PID: cred.Pid}, nil
}
