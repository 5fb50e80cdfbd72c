package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// Caller identifies the process at the other end of a connection, from
// SO_PEERCRED and SO_PEERGROUPS: the kernel's word, not the client's.
type Caller struct {
	UID, GID uint32
	PID      int32
	Groups   []uint32 // supplementary groups
}

// InGroup reports whether the caller's primary or supplementary groups
// include gid.
func (c Caller) InGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// Watcher subscribes a watch client to the agent's events. The server
// subscribes before it acknowledges the request, so that no event published
// after the client sees OK is missed; it calls stop when the client goes.
type Watcher func(c Caller, req *Request) (events <-chan *Event, stop func())

// Handler answers one request. It may block (the server calls it on the
// connection's own goroutine) and must honour ctx, which is cancelled when
// the server stops.
type Handler func(ctx context.Context, c Caller, req *Request) *Reply

// Server serves the control socket.
type Server struct {
	Handler Handler
	// Watch serves the watch command; without it watch is INVALID.
	Watch Watcher
	Log   *zap.Logger
	// WriteTimeout bounds writing a reply to a client that stopped reading.
	WriteTimeout time.Duration
	// ReadTimeout bounds the arrival of the whole request; RequestTimeout
	// when zero.
	ReadTimeout time.Duration

	open atomic.Int64 // connections being served
}

// Open reports how many connections the server is serving now.
func (s *Server) Open() int { return int(s.open.Load()) }

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
		s.open.Add(1)
		go func() {
			defer wg.Done()
			defer s.open.Add(-1)
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
	if req.Command == CmdWatch && s.Watch != nil {
		s.watch(ctx, conn, caller, req)
		return
	}
	rep := s.Handler(ctx, caller, req)
	if req.Command == CmdStats && rep != nil && rep.Error == "" {
		// The handler counts goroutines; only the server knows its
		// connections, an exact figure where goroutines come and go.
		rep.Message = fmt.Sprintf("%s conns=%d", rep.Message, s.Open())
	}
	s.write(conn, rep)
}

// watch acknowledges the request and streams events until the client
// closes its end or the server stops.
func (s *Server) watch(ctx context.Context, conn *net.UnixConn, caller Caller, req *Request) {
	s.Log.Info("command", zap.String("command", req.Command), zap.Uint32("uid", caller.UID),
		zap.Int32("pid", caller.PID), zap.Uint64("id", req.ID))
	events, stop := s.Watch(caller, req)
	defer stop()
	s.write(conn, OK(req))
	gone := make(chan struct{})
	go func() {
		// The client sends nothing more: a read returns when it goes away.
		var b [1]byte
		_, _ = conn.Read(b[:])
		close(gone)
	}()
	for {
		select {
		case ev := <-events:
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if WriteFrame(conn, ev) != nil {
				return
			}
		case <-gone:
			return
		case <-ctx.Done():
			return
		}
	}
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
	c := Caller{UID: cred.Uid, GID: cred.Gid, PID: cred.Pid}
	_ = rc.Control(func(fd uintptr) { c.Groups = peerGroups(int(fd)) })
	return c, nil
}

// peerGroups reads SO_PEERGROUPS (Linux 4.13): the peer's supplementary
// groups, as 32-bit gids in host order. The kernel says how much room it
// needs with ERANGE.
func peerGroups(fd int) []uint32 {
	n := 64
	for range 3 {
		buf := make([]uint32, n)
		size := uint32(4 * n)
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_PEERGROUPS,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0)
		switch errno {
		case 0:
			return buf[:size/4]
		case unix.ERANGE:
			n = int(size/4) + 1
		default:
			return nil
		}
	}
	return nil
}
