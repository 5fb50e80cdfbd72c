package transport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Deliver hands a reply to the transaction that owns it: msg, or, when a
// frame for the transaction (by its xid and hardware address) did not
// decode, nil and why, so that the interface can tell an operator (issue
// 12: malformed replies are logged with a reason). It is called on the
// receiving goroutine and must not block.
type Deliver func(msg *dhcpv4.DHCPv4, err error)

// Dispatcher routes each received reply to the transaction with its xid and
// hardware address, whichever interface it arrived on, and hands out xids
// that no other interface is using. It is safe for concurrent use.
type Dispatcher struct {
	mu     sync.Mutex
	routes map[uint32]route

	received   atomic.Uint64
	malformed  atomic.Uint64
	unmatched  atomic.Uint64
	duplicates atomic.Uint64
}

type route struct {
	ifindex int
	hw      net.HardwareAddr
	deliver Deliver
}

// Origin says where a frame came from: the interface that received it and
// whether it was sent to the link-layer broadcast address.
type Origin struct {
	Ifindex   int
	Broadcast bool
}

// DispatchStats count what the shared receive path saw.
type DispatchStats struct {
	Received  uint64 // frames that passed the socket filter
	Malformed uint64 // frames that were not a well-formed DHCP reply
	Unmatched uint64 // replies for no transaction of ours
	// Duplicates are copies of a broadcast reply received on interfaces
	// other than the transaction's, which has its own copy.
	Duplicates uint64
}

// NewDispatcher returns an empty Dispatcher.
func NewDispatcher() *Dispatcher {
	return &Dispatcher{routes: make(map[uint32]route)}
}

// NewXID returns a random non-zero xid not bound by any transaction
// (RFC 2131 §4.1 asks for random xids; uniqueness across our own interfaces
// is what lets one receive path serve them all).
func (d *Dispatcher) NewXID() uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		x := rand.Uint32()
		if _, taken := d.routes[x]; x != 0 && !taken {
			return x
		}
	}
}

// Bind routes replies with xid and chaddr hw, for a transaction on the
// interface ifindex (0: any), to deliver until Unbind.
func (d *Dispatcher) Bind(xid uint32, ifindex int, hw net.HardwareAddr, deliver Deliver) {
	d.mu.Lock()
	d.routes[xid] = route{ifindex: ifindex, hw: hw, deliver: deliver}
	d.mu.Unlock()
}

func (d *Dispatcher) Unbind(xid uint32, hw net.HardwareAddr) {
	d.mu.Lock()
	if r, ok := d.routes[xid]; ok && bytes.Equal(r.hw, hw) {
		delete(d.routes, xid)
	}
	d.mu.Unlock()
}

// Dispatch decodes one received frame and delivers it to its transaction.
// The transaction is looked up from the raw xid and chaddr before the
// packet is parsed: when a server broadcasts its replies (as dnsmasq does
// once its neighbour table is full), every interface on the segment
// receives a copy, and a thousand interfaces would otherwise parse a
// thousand copies of each reply. A broadcast copy is taken only on the
// transaction's own interface; a unicast reply is taken on any interface,
// since Linux may route it to a sibling on the same subnet.
func (d *Dispatcher) Dispatch(frame []byte, from Origin) {
	d.received.Add(1)
	payload, _, err := DecodeUDP4(frame)
	if err != nil || len(payload) < chaddrEnd {
		d.malformed.Add(1) // whose it is cannot be told
		return
	}
	xid := binary.BigEndian.Uint32(payload[4:8])
	hlen := min(int(payload[2]), 16)
	chaddr := payload[28 : 28+hlen]
	d.mu.Lock()
	r, ok := d.routes[xid]
	d.mu.Unlock()
	switch {
	case !ok || !bytes.Equal(r.hw, chaddr):
		d.unmatched.Add(1)
		return
	case from.Broadcast && r.ifindex != 0 && from.Ifindex != r.ifindex:
		d.duplicates.Add(1)
		return
	}
	// Copied: the receive buffer is reused for the next frame.
	var msg *dhcpv4.DHCPv4
	if len(payload) < bootpFixedLen {
		// Its xid and chaddr say whose it is: the transaction learns
		// that its server's reply was cut short (issue 12).
		err = fmt.Errorf("message of %d bytes cut before its options (the fixed part is %d)", len(payload), bootpFixedLen)
	} else {
		msg, err = DecodeReply(bytes.Clone(payload))
	}
	if err == nil && msg.OpCode != dhcpv4.OpcodeBootReply {
		err = errors.New("not a BOOTREPLY")
	}
	if err != nil {
		d.malformed.Add(1)
		r.deliver(nil, err)
		return
	}
	r.deliver(msg, nil)
}

// bootpFixedLen is the fixed part of a BOOTP message, up to the options
// (RFC 2131 §2); chaddrEnd is where its client hardware address ends: a
// shorter frame cannot be matched to a transaction.
const (
	bootpFixedLen = 236
	chaddrEnd     = 44
)

func (d *Dispatcher) Stats() DispatchStats {
	return DispatchStats{
		Received:   d.received.Load(),
		Malformed:  d.malformed.Load(),
		Unmatched:  d.unmatched.Load(),
		Duplicates: d.duplicates.Load(),
	}
}
