package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// status reports the interface as status shows it (SPEC §3).
func (a *iface) status() ipc.Status {
	s := a.m.Status()
	st := ipc.Status{
		Ifname:    a.link.Name,
		State:     s.State.String(),
		Flags:     []string{},
		Sent:      s.Counters.Sent,
		Received:  s.Counters.Received,
		BadOffers: s.Counters.BadOffers,
		Declined:  s.Counters.Declined,
	}
	if a.inc.primary {
		st.Flags = append(st.Flags, "PRIMARY")
	}
	if s.State.Acquiring() || s.Starting || s.Busy {
		st.Flags = append(st.Flags, "BUSY")
	}
	l := s.Lease
	if l == nil {
		return st
	}
	if l.BOOTP {
		st.Flags = append(st.Flags, "BOOTP")
	}
	st.Address = l.Addr.Addr().String()
	st.Prefix = l.Addr.Bits()
	st.Server = l.Server.String()
	st.Began = wall(l.Began)
	st.T1, st.T2 = wall(l.T1), wall(l.T2)
	if !l.Infinite {
		st.Expires = wall(l.Expires())
	}
	return st
}

// wall strips the monotonic reading for display; nil for the zero Time.
func wall(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	w := t.Round(0)
	return &w
}
