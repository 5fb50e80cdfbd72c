package transport

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// UDP sends unicast client messages (RELEASE, renewals) as ordinary UDP from
// port 68, choosing the source address and the interface per message with
// IP_PKTINFO, so one socket serves every interface.
type UDP struct {
	conn *net.UDPConn
	pc   *ipv4.PacketConn
}

// ListenUDP binds 0.0.0.0:68. SO_REUSEADDR lets it coexist with the packet
// socket's view of the port; the drop-all filter keeps its receive queue
// empty, since replies are read from the packet socket.
func ListenUDP() (*UDP, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pconn, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", ClientPort))
	if err != nil {
		return nil, fmt.Errorf("open UDP socket: %w", err)
	}
	conn := pconn.(*net.UDPConn)
	pc := ipv4.NewPacketConn(conn)
	if err := pc.SetBPF(dropAll); err != nil {
		conn.Close()
		return nil, fmt.Errorf("UDP socket filter: %w", err)
	}
	return &UDP{conn: conn, pc: pc}, nil
}

// Unicast sends payload from from:68 to to:67 out of interface ifindex.
func (u *UDP) Unicast(ifindex int, from, to netip.Addr, payload []byte) error {
	cm := &ipv4.ControlMessage{IfIndex: ifindex, Src: net.IP(from.AsSlice())}
	dst := &net.UDPAddr{IP: net.IP(to.AsSlice()), Port: ServerPort}
	if _, err := u.pc.WriteTo(payload, cm, dst); err != nil {
		return fmt.Errorf("send to %v: %w", dst, err)
	}
	return nil
}

// Close closes the socket.
func (u *UDP) Close() error { return u.conn.Close() }
