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
	// held are the last xids NewXID handed out, oldest first from next,
	// each released when its slot is reused if it was never bound.
	held [maxHeld]hold
	next int
	seq  uint64
	draw func() uint32 // the random source: rand.Uint32 (tests force collisions)

	received   atomic.Uint64
	malformed  atomic.Uint64
	unmatched  atomic.Uint64
	duplicates atomic.Uint64
}

// maxHeld bounds the xids drawn and not bound that the Dispatcher keeps
// from other draws. The machine binds its transaction's xid in the same
// step as it draws it (Listener.Follow, before the first message leaves),
// so a hold needs to outlive only the draws of that instant; the xids of
// DECLINE and RELEASE, which nobody answers, are drawn and never bound,
// and are let go here, at most maxHeld of them kept. Should a hold ever be
// let go before its Bind and the xid drawn again meanwhile, Bind refuses
// it: a transaction is then unheard, never answered by another's reply.
const maxHeld = 4096

// hold is a slot of Dispatcher.held: xid, held since draw number seq.
type hold struct {
	xid uint32
	seq uint64
}

// ErrXIDTaken is returned by Bind for an xid another transaction holds.
var ErrXIDTaken = errors.New("xid bound by another transaction")

type route struct {
	ifindex int
	hw      net.HardwareAddr
	deliver Deliver // nil: drawn by NewXID, not bound yet
	seq     uint64  // of a hold: the draw that made it
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
	return &Dispatcher{routes: make(map[uint32]route), draw: rand.Uint32}
}

// NewXID returns a random non-zero xid that no transaction has bound and
// no other draw holds, and holds it until it is bound (RFC 2131 §4.1 asks
// for random xids; their uniqueness across our own interfaces, SPEC §2,
// is what lets one receive path serve them all). Drawing and reserving in
// one step is what makes them unique: two interfaces drawing at once
// before either binds would otherwise be handed the same xid, and one
// would take the other's replies (VLANs of one link share its hardware
// address, so the chaddr does not tell them apart).
func (d *Dispatcher) NewXID() uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		x := d.draw()
		if _, taken := d.routes[x]; x == 0 || taken {
			continue
		}
		d.seq++
		if old := d.held[d.next]; old.seq != 0 {
			if r, ok := d.routes[old.xid]; ok && r.deliver == nil && r.seq == old.seq {
				delete(d.routes, old.xid)
			}
		}
		d.held[d.next] = hold{xid: x, seq: d.seq}
		d.next = (d.next + 1) % maxHeld
		d.routes[x] = route{seq: d.seq}
		return x
	}
}

// Bind routes replies with xid and chaddr hw, for a transaction on the
// interface ifindex (0: any), to deliver until Unbind. It refuses, with
// ErrXIDTaken, an xid another transaction has bound: overwriting its route
// would hand it this one's replies, or this one its. An xid NewXID holds
// is taken: the one who drew it binds it.
func (d *Dispatcher) Bind(xid uint32, ifindex int, hw net.HardwareAddr, deliver Deliver) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.routes[xid]; ok && r.deliver != nil {
		return fmt.Errorf("bind xid %#08x on interface %d: %w", xid, ifindex, ErrXIDTaken)
	}
	d.routes[xid] = route{ifindex: ifindex, hw: hw, deliver: deliver}
	return nil
}

// Unbind removes the route of xid when hw's transaction has it bound.
func (d *Dispatcher) Unbind(xid uint32, hw net.HardwareAddr) {
	d.mu.Lock()
	if r, ok := d.routes[xid]; ok && r.deliver != nil && bytes.Equal(r.hw, hw) {
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
	case !ok || r.deliver == nil || !bytes.Equal(r.hw, chaddr): // a hold has no transaction yet
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
