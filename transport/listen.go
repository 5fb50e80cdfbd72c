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
// and watches ARP while probing.
func (l *Listener) Follow(xid uint32, probing bool) {
	if xid != l.xid {
		if l.xid != 0 {
			l.Router.Unbind(l.xid, l.HW)
		}
		l.xid = xid
		if xid != 0 {
			l.Router.Bind(xid, l.Ifindex, l.HW, l.Reply)
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
}

// Stop unbinds the transaction and stops watching ARP.
func (l *Listener) Stop() { l.Follow(0, false) }
