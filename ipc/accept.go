package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// Back-off of the accept loop after a failed accept: doubling from
// acceptBackoffMin to acceptBackoffMax, reset by the next success.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
	// shedWait bounds the accept that takes a pending connection off the
	// queue when descriptors run out: there may be none pending.
	shedWait = 10 * time.Millisecond
	// shedBurst bounds the connections one shedding takes off the queue.
	shedBurst = 256
)

// acceptLoop accepts connections until ctx is done and hands each one the
// limits admit to serve. An accept that fails does not stop the server:
//
//   - EMFILE or ENFILE (the process or the system is out of descriptors):
//     the kernel leaves the connections queued, so a plain retry would
//     spin. A descriptor held in reserve for this moment is closed, the
//     pending connections accepted with it and closed at once (unless one
//     is root's: the operator is served even now, see shed), and the
//     reserve taken again. The queue moves, each refusal is counted, and
//     the loop backs off (longer while there is nothing to shed) so that
//     connections closing (idle ones time out after ReadTimeout) give
//     descriptors back.
//   - anything else but a closed listener: logged, counted, backed off.
func (s *Server) acceptLoop(ctx context.Context, ln *net.UnixListener, serve func(*net.UnixConn, Caller)) error {
	reserve, _ := os.Open(os.DevNull)
	defer func() {
		if reserve != nil {
			reserve.Close()
		}
	}()
	var backoff time.Duration
	for {
		if reserve == nil {
			reserve, _ = os.Open(os.DevNull) // given away or never had: try again
		}
		conn, err := ln.AcceptUnix()
		if err == nil {
			backoff = 0
			if c, ok := s.admit(conn); ok {
				serve(conn, c)
			}
			continue
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, net.ErrClosed):
			return fmt.Errorf("accept: %w", err)
		case isTimeout(err):
			continue
		case errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE):
			var shed int
			if reserve, shed = s.shed(ln, reserve, err, serve); shed > 0 {
				backoff = 0 // the queue moved: no reason to wait long
			}
		default:
			s.refuse(RefusedAccept, zap.Error(err))
		}
		backoff = min(max(2*backoff, acceptBackoffMin), acceptBackoffMax)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// shed spends the reserved descriptor on the pending connections, up to
// shedBurst of them: each is accepted and closed at once, giving the
// descriptor back for the next, until the queue is empty. A connection of
// root's keeps the descriptor and is served, which ends the burst. It
// returns the new reserve (nil when it could not be taken again; the loop
// retries) and how many connections it took off the queue.
func (s *Server) shed(ln *net.UnixListener, reserve *os.File, cause error, serve func(*net.UnixConn, Caller)) (*os.File, int) {
	if reserve != nil {
		reserve.Close()
	}
	n := 0
	for ; n < shedBurst; n++ {
		_ = ln.SetDeadline(time.Now().Add(shedWait))
		conn, err := ln.AcceptUnix()
		_ = ln.SetDeadline(time.Time{})
		if err != nil {
			break
		}
		c, perr := s.caller(conn)
		if perr == nil && c.UID == 0 {
			serve(conn, c) // root takes no place within the limits
			n++
			break
		}
		s.refuse(RefusedDescriptors, zap.Error(cause), zap.Uint32("uid", c.UID), zap.Int("open", s.Open()))
		s.writeWithin(conn, Fail(nil, ErrLimit, "the agent is out of file descriptors"), 50*time.Millisecond)
		conn.Close()
	}
	r, _ := os.Open(os.DevNull)
	return r, n
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
