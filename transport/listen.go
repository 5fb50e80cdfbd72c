package transport

import "net"

// Listener keeps what one interface hears in step with its lease
// machine: the Router's binding for the xid of its one transaction
// (replies to any other xid reach it no more, RFC 2131 §4.1), and the
// ARP watch while an address is being probed (RFC 5227 §2.1.1). What is
// heard goes to Reply and Heard on the reading goroutine: the owner posts
// it to itself. The owner calls Follow before its transaction's first
// message leaves, so that a fast server never answers into the void.
// Listener is its owner's alone (not safe for concurrent use); the zero
// Listener has nothing bound and nothing to stop.
type Listener struct {
	Router  Router
	ARP     ARPWatcher
	Ifindex int
	HW      net.HardwareAddr
	Reply   Deliver         // a reply for the transaction bound
	Heard   func(ARPPacket) // an ARP packet heard while probing

	xid      uint32 // bound in the Router, 0 when none
	watching bool   // ARP watched
}

// Follow binds xid (0: no transaction) in place of the one bound before,
// and watches ARP while probing. When the Router refuses xid (another
// transaction has it bound: ErrXIDTaken) nothing is bound, so that no
// later Follow unbinds the other's route, and the error is returned; the
// next Follow with xid tries again.
func (l *Listener) Follow(xid uint32, probing bool) error {
	var err error
	if xid != l.xid {
		if l.xid != 0 {
			l.Router.Unbind(l.xid, l.HW)
		}
		l.xid = 0
		if xid != 0 {
			if err = l.Router.Bind(xid, l.Ifindex, l.HW, l.Reply); err == nil {
				l.xid = xid
			}
		}
	}
	if probing != l.watching {
		l.watching = probing
		if probing {
			l.ARP.Watch(l.Ifindex, l.Heard)
		} else {
			l.ARP.Unwatch(l.Ifindex)
		}
	}
	return err
}

// Stop unbinds the transaction and stops watching ARP.
func (l *Listener) Stop() { _ = l.Follow(0, false) }
