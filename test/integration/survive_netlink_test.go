//go:build integration

package integration

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// svAddrDumper lists the IPv4 addresses of one link of a namespace over a
// NETLINK_ROUTE socket of that namespace: a dump takes well under a
// millisecond, where running `ip` takes tens of them on a loaded machine.
// It is used by one goroutine at a time.
type svAddrDumper struct {
	fd      int
	ifindex int
	seq     uint32
	buf     []byte
}

// svOpenDumper opens the socket in namespace ns (a name under /run/netns)
// for the link dev.
func svOpenDumper(ns, dev string) (*svAddrDumper, error) {
	type opened struct {
		fd      int
		ifindex int
		err     error
	}
	ch := make(chan opened, 1)
	go func() {
		// The thread enters ns for the socket's creation and returns to
		// its own namespace before it is unlocked. It must not end with
		// this goroutine: the lab starts its processes with Pdeathsig,
		// which the kernel sends when the *thread* that forked them ends,
		// and this thread may have forked some of them.
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			ch <- opened{err: err}
			return
		}
		defer home.Close()
		f, err := os.Open(filepath.Join("/run/netns", ns))
		if err != nil {
			runtime.UnlockOSThread()
			ch <- opened{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- opened{err: fmt.Errorf("setns %s: %w", ns, err)}
			return
		}
		var o opened
		if ifi, err := net.InterfaceByName(dev); err != nil {
			o.err = fmt.Errorf("%s in %s: %w", dev, ns, err)
		} else if fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE); err != nil {
			o.err = fmt.Errorf("netlink socket: %w", err)
		} else {
			o.fd, o.ifindex = fd, ifi.Index
		}
		if err := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); err != nil {
			// Stuck in ns: keep the thread (and this goroutine) out
			// of use rather than end it or let others run in ns.
			ch <- opened{err: fmt.Errorf("setns back: %w", err)}
			select {}
		}
		runtime.UnlockOSThread()
		ch <- o
	}()
	o := <-ch
	if o.err != nil {
		return nil, o.err
	}
	d := &svAddrDumper{fd: o.fd, ifindex: o.ifindex, buf: make([]byte, 1<<16)}
	// A bound on every receive: a dump that never ends fails, it does not hang.
	tv := unix.NsecToTimeval((2 * time.Second).Nanoseconds())
	if err := unix.SetsockoptTimeval(d.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		d.close()
		return nil, fmt.Errorf("netlink SO_RCVTIMEO: %w", err)
	}
	if err := unix.Bind(d.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		d.close()
		return nil, fmt.Errorf("netlink bind: %w", err)
	}
	return d, nil
}

func (d *svAddrDumper) close() { unix.Close(d.fd) }

// addrs dumps the IPv4 addresses of the link (RTM_GETADDR).
func (d *svAddrDumper) addrs() ([]netip.Addr, error) {
	d.seq++
	req := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofIfAddrmsg)
	*(*unix.NlMsghdr)(unsafe.Pointer(&req[0])) = unix.NlMsghdr{
		Len: uint32(len(req)), Type: unix.RTM_GETADDR, Flags: unix.NLM_F_REQUEST | unix.NLM_F_DUMP, Seq: d.seq,
	}
	*(*unix.IfAddrmsg)(unsafe.Pointer(&req[unix.NLMSG_HDRLEN])) = unix.IfAddrmsg{Family: unix.AF_INET}
	if err := unix.Sendto(d.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("netlink send: %w", err)
	}
	var out []netip.Addr
	for range 1000 { // a dump of a few addresses is one or two datagrams
		n, _, err := unix.Recvfrom(d.fd, d.buf, 0)
		if err != nil {
			return nil, fmt.Errorf("netlink receive: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(d.buf[:n])
		if err != nil {
			return nil, fmt.Errorf("netlink parse: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != d.seq {
				continue // the answer to an earlier dump that timed out
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return out, nil
			case unix.NLMSG_ERROR:
				return nil, errors.New("netlink dump answered with an error")
			case unix.RTM_NEWADDR:
				if len(m.Data) < unix.SizeofIfAddrmsg {
					continue
				}
				ifa := (*unix.IfAddrmsg)(unsafe.Pointer(&m.Data[0]))
				if int(ifa.Index) != d.ifindex {
					continue
				}
				attrs, err := syscall.ParseNetlinkRouteAttr(&m)
				if err != nil {
					return nil, fmt.Errorf("netlink attributes: %w", err)
				}
				for _, a := range attrs {
					if a.Attr.Type == unix.IFA_LOCAL && len(a.Value) == 4 {
						out = append(out, netip.AddrFrom4([4]byte(a.Value)))
					}
				}
			}
		}
	}
	return nil, errors.New("netlink dump did not end")
}
