package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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

// Privileged reports whether the caller may give the commands that change
// things (SPEC §3): root, or a member of the admin group adminGID (-1:
// none), by its primary or supplementary groups.
func (c Caller) Privileged(adminGID int64) bool {
	return c.UID == 0 || adminGID >= 0 && adminGID <= 1<<32-1 && c.InGroup(uint32(adminGID))
}

// Watcher subscribes a watch client to the agent's events. The server
// subscribes before it acknowledges the request, so that no event published
// after the client sees OK is missed; it calls stop when the client goes.
type Watcher func(c Caller, req *Request) (events <-chan *Event, stop func())

// Handler answers one request. It may block (the server calls it on the
// connection's own goroutine) and must honour ctx, which is cancelled when
// the server stops or the client goes away.
type Handler func(ctx context.Context, c Caller, req *Request) *Reply

// Server serves the control socket.
type Server struct {
	Handler Handler
	// Watch serves the watch command; without it watch is INVALID.
	Watch Watcher
	Log   *zap.Logger
	// WriteTimeout bounds writing a reply to a client that stopped reading.
	WriteTimeout time.Duration
	// ReadTimeout bounds the arrival of the whole request, counted from
	// the connection's acceptance (a slowloris client holds its connection
	// no longer); RequestTimeout when zero.
	ReadTimeout time.Duration
	// Limits bound what unprivileged callers hold; DefaultLimits' values
	// where zero.
	Limits Limits
	// Now is the clock of the refusal log's rate limit; nil is time.Now.
	Now func() time.Time

	open     atomic.Int64 // connections being served
	initOnce sync.Once
	used     *usage
	// peerOf reads the caller's credentials; tests replace it to play
	// other uids than their own.
	peerOf func(*net.UnixConn) (Caller, error)
	// released, when set, is told of every place given back ("conn" or
	// "watch"), after the fact: tests wait on it.
	released func(kind string, uid uint32)
}

// Open reports how many connections the server is serving now.
func (s *Server) Open() int { return int(s.open.Load()) }

// Refused returns how many connections and requests were refused, by
// reason (every one of RefusalReasons present).
func (s *Server) Refused() map[string]uint64 { return s.usage().snapshot() }

func (s *Server) usage() *usage {
	s.initOnce.Do(func() { s.used = newUsage(s.Limits) })
	return s.used
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// release gives back a connection's or a watch stream's place.
func (s *Server) release(kind string, uid uint32) {
	if kind == "watch" {
		s.usage().watches.put(uid)
	} else {
		s.usage().conns.put(uid)
	}
	if s.released != nil {
		s.released(kind, uid)
	}
}

// refuse counts and logs (rate-limited) one refusal.
func (s *Server) refuse(reason string, fields ...zap.Field) {
	s.usage().refuse(s.Log, s.now(), reason, fields...)
}

// Run accepts connections on ln until ctx is done, then closes ln and waits
// for the connections in flight. It never gives up for a failing accept
// (EMFILE and the like): it backs off and goes on, see acceptLoop.
func (s *Server) Run(ctx context.Context, ln *net.UnixListener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	return s.acceptLoop(ctx, ln, func(conn *net.UnixConn, c Caller) {
		wg.Add(1)
		s.open.Add(1)
		go func() {
			defer wg.Done()
			defer s.open.Add(-1)
			defer s.release("conn", c.UID)
			s.serve(ctx, conn, c)
		}()
	})
}

// admit reads the caller of a new connection and takes its place within
// the limits. A refused connection gets one LIMIT reply and is closed at
// once, on the accepting goroutine: it costs no goroutine and holds no
// descriptor. A fresh socket's send buffer is empty, so the short write
// deadline is only a guard.
func (s *Server) admit(conn *net.UnixConn) (Caller, bool) {
	c, err := s.caller(conn)
	if err != nil {
		s.refuse(RefusedCredentials, zap.Error(err))
		conn.Close()
		return c, false
	}
	ok, reason, limit := s.usage().conns.take(c.UID)
	if !ok {
		s.refuse(reason, zap.Uint32("uid", c.UID), zap.Int32("pid", c.PID), zap.Int("limit", limit))
		s.writeWithin(conn, Fail(nil, ErrLimit, "too many connections (%s limit %d) for uid %d", reason, limit, c.UID), 50*time.Millisecond)
		conn.Close()
		return c, false
	}
	return c, true
}

func (s *Server) serve(ctx context.Context, conn *net.UnixConn, caller Caller) {
	defer conn.Close()
	// The whole request must arrive within ReadTimeout of connecting.
	rt := s.ReadTimeout
	if rt == 0 {
		rt = RequestTimeout
	}
	_ = conn.SetReadDeadline(time.Now().Add(rt))
	req, err := ReadRequest(conn)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return // connected and went away: nothing asked, nothing refused
		}
		reason := RefusedMalformed
		if errors.Is(err, os.ErrDeadlineExceeded) {
			reason = RefusedTimeout
		}
		s.refuse(reason, zap.Uint32("uid", caller.UID), zap.Int32("pid", caller.PID), zap.Error(err))
		s.write(conn, Fail(nil, ErrProtocol, "%v", err))
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	if req.Command == CmdWatch && s.Watch != nil {
		ok, reason, limit := s.usage().watches.take(caller.UID)
		if !ok {
			s.refuse(reason, zap.Uint32("uid", caller.UID), zap.Int32("pid", caller.PID), zap.Int("limit", limit))
			s.write(conn, Fail(req, ErrLimit, "too many watch streams (%s limit %d) for uid %d", reason, limit, caller.UID))
			return
		}
		defer s.release("watch", caller.UID)
		s.watch(ctx, conn, caller, req)
		return
	}
	rep := s.handle(ctx, conn, caller, req)
	if req.Command == CmdStats && rep != nil && rep.Error == "" {
		// The handler counts goroutines; only the server knows its
		// connections, an exact figure where goroutines come and go.
		rep.Message = fmt.Sprintf("%s conns=%d", rep.Message, s.Open())
	}
	s.write(conn, rep)
}

// handle calls the Handler with a context that is also done once the
// client has gone (SPEC §3: a command whose caller has gone is withdrawn
// where it still waits, and no longer makes the next one PEND). The wait
// for the hang-up (hangUp) is ended before the reply is written.
func (s *Server) handle(ctx context.Context, conn *net.UnixConn, caller Caller, req *Request) *Reply {
	ctx, hungUp := context.WithCancel(ctx)
	defer hungUp()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if hangUp(conn) {
			hungUp()
		}
	}()
	rep := s.Handler(ctx, caller, req)
	_ = conn.SetReadDeadline(time.Now()) // ends the wait
	<-watched
	return rep
}

// hangUp waits until the client has closed its end of conn, and reports
// true, or until the read deadline, false. Only a close counts (POLLHUP):
// a client that shut down only its writing half after its request (as a
// script may) still waits for the reply, and what it sends is not read.
func hangUp(conn *net.UnixConn) bool {
	rc, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	err = rc.Read(func(fd uintptr) bool {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLRDHUP}}
		for {
			_, err := unix.Poll(p, 0)
			if err != unix.EINTR {
				break
			}
		}
		gone = p[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0
		return gone // else the next event on conn asks again
	})
	return err == nil && gone
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
	s.writeWithin(conn, r, wt)
}

func (s *Server) writeWithin(conn *net.UnixConn, r *Reply, wt time.Duration) {
	_ = conn.SetWriteDeadline(time.Now().Add(wt))
	r.Version = Version
	if err := WriteFrame(conn, r); err != nil {
		s.Log.Debug("control reply not delivered", zap.Error(err))
	}
}

// caller reads the credentials of conn's peer.
func (s *Server) caller(conn *net.UnixConn) (Caller, error) {
	if s.peerOf != nil {
		return s.peerOf(conn)
	}
	return peer(conn)
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
