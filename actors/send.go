package actors

import (
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// This file is the interface actor's traffic: the machine's messages and
// ARP packets out, and the listener (transport.Listener) that brings
// replies and ARP back in as messages to the actor.

func (a *iface) send(s lease.Send) {
	b := s.Msg.ToBytes()
	var err error
	if s.To.IsValid() {
		err = a.env.Sender.Unicast(a.link.Index, s.From, s.To, b)
	} else {
		err = a.env.Sender.Broadcast(a.link.Index, s.From, b)
	}
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
	p := transport.ProbeARP(a.link.HWAddr, s.Addr)
	if s.Op == lease.ARPAnnounce {
		p = transport.AnnounceARP(a.link.HWAddr, s.Addr)
	}
	if err := a.env.Sender.ARP(a.link.Index, p); err != nil {
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
