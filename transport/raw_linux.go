package transport

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// RawConfig tunes the shared packet socket.
type RawConfig struct {
	// Rate and Burst pace broadcasts across all interfaces (messages per
	// second, messages at once); Rate 0 disables pacing.
	Rate, Burst int
	// QueueLen bounds the messages waiting for the pacer; beyond it a
	// message is dropped and counted, and the retransmission covers it.
	QueueLen int
}

// DefaultRawConfig paces at 1,000 messages a second in bursts of 64: a
// thousand interfaces start within about a second without flooding a server.
var DefaultRawConfig = RawConfig{Rate: 1000, Burst: 64, QueueLen: 8192}

// Raw is the shared AF_PACKET socket: it receives replies for every
// interface and broadcasts on any interface by index.
type Raw struct {
	conn  *packet.Conn
	rc    syscall.RawConn
	queue chan frame
	pacer *Pacer

	closeOnce sync.Once
	done      chan struct{}
	writer    sync.WaitGroup
	sent      atomic.Uint64
	dropped   atomic.Uint64
	errors    atomic.Uint64
}

type frame struct {
	ifindex int
	b       []byte
}

// ListenRaw opens the socket on all interfaces with the reply filter
// attached before bind(2), so no unfiltered packet is ever queued.
func ListenRaw(cfg RawConfig) (*Raw, error) {
	conn, err := packet.Listen(&net.Interface{Index: 0}, packet.Datagram, unix.ETH_P_IP,
		&packet.Config{Filter: replyFilter})
	if err != nil {
		return nil, fmt.Errorf("open packet socket: %w", err)
	}
	rc, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("packet socket: %w", err)
	}
	// A thousand interfaces binding at once queue a thousand replies; give
	// the socket room (SO_RCVBUFFORCE needs CAP_NET_ADMIN, which we have).
	_ = rc.Control(func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20)
	})
	r := &Raw{
		conn:  conn,
		rc:    rc,
		queue: make(chan frame, max(cfg.QueueLen, 1)),
		pacer: NewPacer(cfg.Rate, cfg.Burst),
		done:  make(chan struct{}),
	}
	r.writer.Add(1)
	go r.writeLoop()
	return r, nil
}

// Serve reads frames until Close and passes each to handle on this
// goroutine. A panic in handle is recovered and counted, so one bad packet
// cannot take the agent down.
func (r *Raw) Serve(handle func(frame []byte, from Origin)) error {
	buf := make([]byte, 1<<16)
	for {
		var (
			n    int
			from unix.Sockaddr
			rerr error
		)
		err := r.rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			select {
			case <-r.done:
				return nil
			default:
			}
			if errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENETDOWN) {
				continue
			}
			return fmt.Errorf("read packet socket: %w", err)
		}
		var o Origin
		if ll, ok := from.(*unix.SockaddrLinklayer); ok {
			o = Origin{Ifindex: ll.Ifindex, Broadcast: ll.Pkttype == unix.PACKET_BROADCAST}
		}
		r.safely(handle, buf[:n], o)
	}
}

func (r *Raw) safely(handle func([]byte, Origin), b []byte, o Origin) {
	defer func() {
		if recover() != nil {
			r.errors.Add(1)
		}
	}()
	handle(b, o)
}

// Broadcast queues payload for broadcast from from:68 (0.0.0.0 when from
// is the zero Addr) to 255.255.255.255:67 on the interface ifindex. It
// never blocks: when the queue is full the message is dropped and counted.
func (r *Raw) Broadcast(ifindex int, from netip.Addr, payload []byte) error {
	if !from.IsValid() {
		from = netip.IPv4Unspecified()
	}
	b := EncodeUDP4(from, netip.AddrFrom4([4]byte{255, 255, 255, 255}), payload)
	select {
	case r.queue <- frame{ifindex: ifindex, b: b}:
		return nil
	case <-r.done:
		return net.ErrClosed
	default:
		r.dropped.Add(1)
		return errors.New("send queue full")
	}
}

// writeLoop drains the queue at the pacer's rate.
func (r *Raw) writeLoop() {
	defer r.writer.Done()
	timer := time.NewTimer(0)
	<-timer.C
	for {
		select {
		case f := <-r.queue:
			if d := r.pacer.Reserve(time.Now()); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-r.done:
					return
				}
			}
			r.write(f)
		case <-r.done:
			return
		}
	}
}

func (r *Raw) write(f frame) {
	to := &unix.SockaddrLinklayer{
		Protocol: htons(unix.ETH_P_IP),
		Ifindex:  f.ifindex,
		Halen:    6,
		Addr:     [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
	var werr error
	err := r.rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), f.b, 0, to)
		return werr != unix.EAGAIN
	})
	if err != nil || werr != nil {
		r.errors.Add(1)
		return
	}
	r.sent.Add(1)
}

// RawStats count the socket's transmissions.
type RawStats struct {
	Sent, Dropped, Errors uint64
}

// Stats returns the counters so far.
func (r *Raw) Stats() RawStats {
	return RawStats{Sent: r.sent.Load(), Dropped: r.dropped.Load(), Errors: r.errors.Load()}
}

// Close stops the writer and unblocks Serve.
func (r *Raw) Close() error {
	var err error
	r.closeOnce.Do(func() {
		close(r.done)
		err = r.conn.Close()
		r.writer.Wait()
	})
	return err
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
