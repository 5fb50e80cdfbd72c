package actors

import (
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// This file is the interface actor's traffic: the machine's messages and
// ARP packets out (transport.Send, SendARP), and the listener
// (transport.Listener) that brings replies and ARP back in as messages to
// the actor.

func (a *iface) send(s lease.Send) {
	err := transport.Send(a.env.Sender, a.link.Index, s.From, s.To, s.Msg.ToBytes())
	fields := []zap.Field{zap.Stringer("type", s.Msg.MessageType()), zap.Uint32("xid", lease.XID(s.Msg)),
		zap.Stringer("state", a.m.State())}
	if err != nil {
		// Not fatal: the retransmission timer tries again.
		a.log.Warn("send failed", append(fields, zap.Error(err))...)
		return
	}
	a.log.Debug("sent", fields...)
}

func (a *iface) sendARP(s lease.SendARP) {
	announce := s.Op == lease.ARPAnnounce
	if err := transport.SendARP(a.env.Sender, a.link.Index, a.link.HWAddr, s.Addr, announce); err != nil {
		a.log.Warn("ARP send failed", zap.Stringer("address", s.Addr), zap.Error(err))
	}
}

// newListener returns the interface's transport.Listener, whose replies
// and ARP packets come back as messages to the actor.
func (a *iface) newListener() transport.Listener {
	root, self := a.root, a.self
	return transport.Listener{Router: a.env.Router, ARP: a.env.ARP, Ifindex: a.link.Index, HW: a.link.HWAddr,
		Reply: func(m *dhcpv4.DHCPv4, err error) { root.Send(self, &messages.Inbound{Msg: m, Err: err}) },
		Heard: func(p transport.ARPPacket) { root.Send(self, &messages.ARPInbound{Packet: p}) }}
}
