package transport

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// arpFilter accepts incoming Ethernet/IPv4 ARP only.
var arpFilter = mustAssemble([]bpf.Instruction{
	bpf.LoadExtension{Num: bpf.ExtType},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetTypeOutgoing, SkipTrue: 4},
	bpf.LoadAbsolute{Off: 0, Size: 4}, // hardware type, protocol type
	bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: arpHTEther<<16 | arpPTIPv4, SkipTrue: 2},
	bpf.LoadAbsolute{Off: 4, Size: 2}, // address lengths
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: 6<<8 | 4, SkipTrue: 1},
	bpf.RetConstant{Val: 0},
	bpf.RetConstant{Val: arpLen},
})

// ARP is the shared ARP socket: like Raw, one AF_PACKET socket for every
// interface, here for RFC 5227 probes, announcements and conflict watching.
// Received packets go to the watcher of the interface they arrived on.
type ARP struct {
	conn *packet.Conn
	rc   syscall.RawConn

	mu       sync.Mutex
	watchers map[int]func(ARPPacket)
	closed   atomic.Bool
}

// ListenARP opens the ARP socket.
func ListenARP() (*ARP, error) {
	conn, err := packet.Listen(&net.Interface{Index: 0}, packet.Datagram, unix.ETH_P_ARP,
		&packet.Config{Filter: arpFilter})
	if err != nil {
		return nil, fmt.Errorf("open ARP socket: %w", err)
	}
	rc, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("ARP socket: %w", err)
	}
	return &ARP{conn: conn, rc: rc, watchers: make(map[int]func(ARPPacket))}, nil
}

// Watch delivers ARP packets received on ifindex to f until Unwatch. f runs
// on the reading goroutine and must not block.
func (a *ARP) Watch(ifindex int, f func(ARPPacket)) {
	a.mu.Lock()
	a.watchers[ifindex] = f
	a.mu.Unlock()
}

// Unwatch stops delivering for ifindex.
func (a *ARP) Unwatch(ifindex int) {
	a.mu.Lock()
	delete(a.watchers, ifindex)
	a.mu.Unlock()
}

// Serve reads until Close. Packets nobody watches are dropped.
func (a *ARP) Serve() error {
	buf := make([]byte, 1500)
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := a.rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			if a.closed.Load() {
				return nil
			}
			if errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENETDOWN) {
				continue
			}
			return fmt.Errorf("read ARP socket: %w", err)
		}
		sll, ok := from.(*unix.SockaddrLinklayer)
		if !ok {
			continue
		}
		p, err := DecodeARP(buf[:n])
		if err != nil {
			continue
		}
		a.mu.Lock()
		f := a.watchers[sll.Ifindex]
		a.mu.Unlock()
		if f != nil {
			f(p)
		}
	}
}

// Send broadcasts p on ifindex.
func (a *ARP) Send(ifindex int, p ARPPacket) error {
	to := &unix.SockaddrLinklayer{
		Protocol: htons(unix.ETH_P_ARP),
		Ifindex:  ifindex,
		Halen:    6,
		Addr:     [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
	b := EncodeARP(p)
	var werr error
	err := a.rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), b, 0, to)
		return werr != unix.EAGAIN
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("send ARP on %d: %w", ifindex, err)
	}
	return nil
}

// Close unblocks Serve.
func (a *ARP) Close() error {
	a.closed.Store(true)
	return a.conn.Close()
}
