package transport

import (
	"bytes"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Deliver hands a reply to the transaction that owns it. It is called on the
// receiving goroutine and must not block.
type Deliver func(*dhcpv4.DHCPv4)

// Dispatcher routes each received reply to the transaction with its xid and
// hardware address, whichever interface it arrived on, and hands out xids
// that no other interface is using. It is safe for concurrent use.
type Dispatcher struct {
	mu     sync.Mutex
	routes map[uint32]route

	received  atomic.Uint64
	malformed atomic.Uint64
	unmatched atomic.Uint64
}

type route struct {
	hw      net.HardwareAddr
	deliver Deliver
}

// DispatchStats count what the shared receive path saw.
type DispatchStats struct {
	Received  uint64 // frames that passed the socket filter
	Malformed uint64 // frames that were not a well-formed DHCP reply
	Unmatched uint64 // replies for no transaction of ours
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

// Bind routes replies with xid and chaddr hw to deliver until Unbind.
func (d *Dispatcher) Bind(xid uint32, hw net.HardwareAddr, deliver Deliver) {
	d.mu.Lock()
	d.routes[xid] = route{hw: hw, deliver: deliver}
	d.mu.Unlock()
}

// Unbind stops routing xid; it is a no-op if xid is not bound to hw.
func (d *Dispatcher) Unbind(xid uint32, hw net.HardwareAddr) {
	d.mu.Lock()
	if r, ok := d.routes[xid]; ok && bytes.Equal(r.hw, hw) {
		delete(d.routes, xid)
	}
	d.mu.Unlock()
}

// Dispatch decodes one IPv4 frame from the packet socket and delivers it.
// Anything malformed or unclaimed is counted and dropped.
func (d *Dispatcher) Dispatch(frame []byte) {
	d.received.Add(1)
	payload, _, err := DecodeUDP4(frame)
	if err != nil {
		d.malformed.Add(1)
		return
	}
	// The frame buffer is reused by the reader: the message must own its bytes.
	msg, err := dhcpv4.FromBytes(bytes.Clone(payload))
	if err != nil || msg.OpCode != dhcpv4.OpcodeBootReply {
		d.malformed.Add(1)
		return
	}
	x := msg.TransactionID
	xid := uint32(x[0])<<24 | uint32(x[1])<<16 | uint32(x[2])<<8 | uint32(x[3])
	d.mu.Lock()
	r, ok := d.routes[xid]
	d.mu.Unlock()
	if !ok || !bytes.Equal(r.hw, msg.ClientHWAddr) {
		d.unmatched.Add(1)
		return
	}
	r.deliver(msg)
}

// Stats returns the counters so far.
func (d *Dispatcher) Stats() DispatchStats {
	return DispatchStats{
		Received:  d.received.Load(),
		Malformed: d.malformed.Load(),
		Unmatched: d.unmatched.Load(),
	}
}
