package actors

import (
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// transition logs a change of state and tells watchers; entering V6ONLY
// (RFC 8925) says why and when DHCPv4 resumes.
func (a *iface) transition(t lease.Transition) {
	st := a.m.Status()
	fields := []zap.Field{zap.Stringer("from", t.From), zap.Stringer("state", t.To), zap.Uint32("xid", st.XID)}
	if t.To == lease.V6Only {
		a.log.Info("IPv6-only network (RFC 8925 option 108): DHCPv4 paused", append(fields,
			zap.Time("until", st.V6OnlyUntil))...)
	} else {
		a.log.Info("state change", fields...)
	}
	a.publish(messages.TransitionOf(a.link.Name, a.env.Clock.Now(), t, st))
}

// notify logs an event and tells watchers, returning the lease its hook
// describes (handle queues the hook). before is the lease held before the
// event, which the hook of an ending event describes.
func (a *iface) notify(e lease.EventName, before *lease.Lease) *lease.Lease {
	st := a.m.Status()
	l := st.Lease
	if l == nil {
		l = before
	}
	fields := []zap.Field{zap.String("event", string(e)), zap.Stringer("state", st.State)}
	if l != nil {
		fields = append(fields, zap.Stringer("address", l.Addr))
	}
	a.log.Info("event", fields...)
	a.publish(messages.HookEventOf(a.link.Name, a.env.Clock.Now(), e, st))
	return l
}

// publish hands a watch event (messages.Event) to watchers.
func (a *iface) publish(ev messages.Event) {
	if a.env.Events != nil {
		a.env.Events.Publish(ev.Wire())
	}
}
