package transport

import (
	"fmt"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// calls records what a Listener asks of its Router and ARPWatcher, and
// keeps the functions it registered.
type calls struct {
	log     []string
	deliver Deliver
	heard   func(ARPPacket)
	taken   map[uint32]bool // xids Bind refuses
}

func (c *calls) NewXID() uint32 { return 1 }
func (c *calls) Bind(xid uint32, ifindex int, hw net.HardwareAddr, d Deliver) error {
	c.log = append(c.log, fmt.Sprintf("bind %d %d %s", xid, ifindex, hw))
	if c.taken[xid] {
		return ErrXIDTaken
	}
	c.deliver = d
	return nil
}
func (c *calls) Unbind(xid uint32, hw net.HardwareAddr) {
	c.log = append(c.log, fmt.Sprintf("unbind %d %s", xid, hw))
}
func (c *calls) Watch(ifindex int, f func(ARPPacket)) {
	c.log = append(c.log, fmt.Sprintf("watch %d", ifindex))
	c.heard = f
}
func (c *calls) Unwatch(ifindex int) { c.log = append(c.log, fmt.Sprintf("unwatch %d", ifindex)) }

// TestListener: the Router holds exactly the transaction's xid, replaced
// when the machine moves to another and unbound when it has none; ARP is
// watched while probing only; what is heard goes to the owner's
// functions; Stop leaves nothing bound, and a second Stop asks nothing.
func TestListener(t *testing.T) {
	c := &calls{}
	hw := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	var replies, arps int
	l := Listener{Router: c, ARP: c, Ifindex: 7, HW: hw,
		Reply: func(*dhcpv4.DHCPv4, error) { replies++ },
		Heard: func(ARPPacket) { arps++ }}
	l.Follow(0, false) // idle: nothing to do
	l.Follow(10, false)
	l.Follow(10, false) // unchanged: asks nothing
	c.deliver(nil, nil)
	l.Follow(10, true) // the offer's address is probed
	c.heard(ARPPacket{})
	l.Follow(11, false) // a new transaction, probing over
	l.Follow(0, false)  // bound: no transaction
	l.Follow(12, true)
	l.Stop()
	l.Stop()
	want := []string{"bind 10 7 " + hw.String(), "watch 7", "unbind 10 " + hw.String(),
		"bind 11 7 " + hw.String(), "unwatch 7", "unbind 11 " + hw.String(),
		"bind 12 7 " + hw.String(), "watch 7", "unbind 12 " + hw.String(), "unwatch 7"}
	if diff := cmp.Diff(want, c.log); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if replies != 1 || arps != 1 {
		t.Errorf("%d replies and %d ARP packets reached the owner, want 1 and 1", replies, arps)
	}
	var zero Listener
	zero.Stop() // nothing bound: touches no Router
}
