package messages

import (
	"encoding/hex"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
)

// ToWire is r as the reply to req (SPEC §3).
func ToWire(req *ipc.Request, r *Result) *ipc.Reply {
	out := &ipc.Reply{Version: ipc.Version, ID: req.ID, Error: r.Code, Message: r.Message,
		Values: r.Values}
	if r.Raw != nil {
		out.Raw = hex.EncodeToString(r.Raw)
	}
	if r.Status != nil {
		s := r.Status.Wire()
		out.Status = &s
	}
	if r.Statuses != nil {
		out.Statuses = make([]ipc.Status, 0, len(r.Statuses))
		for _, s := range r.Statuses {
			out.Statuses = append(out.Statuses, s.Wire())
		}
	}
	for _, row := range r.Interfaces {
		out.Interfaces = append(out.Interfaces, ipc.IfInfo(row))
	}
	for _, row := range r.Addresses {
		out.Addresses = append(out.Addresses, ipc.AddrInfo(row))
	}
	return out
}

// Wire is s as status shows it (SPEC §3): the state's name, or FAILED,
// the flags PRIMARY, BUSY, BOOTP, FAILED, and the lease's times without
// their monotonic readings. Warnings and refusals are lists, empty when
// there are none, never null.
func (s IfStatus) Wire() ipc.Status {
	st := ipc.Status{
		Ifname:    s.Ifname,
		State:     s.StateName(),
		Flags:     []string{},
		Sent:      s.Counters.Sent,
		Received:  s.Counters.Received,
		BadOffers: s.Counters.BadOffers,
		Declined:  s.Counters.Declined,
		// V6ONLY holds no lease but has its instant (RFC 8925).
		V6OnlyUntil: wall(s.V6OnlyUntil),
		Warnings:    make([]ipc.Warning, 0, len(s.Warnings)),
		Refusals:    make([]ipc.Refusal, 0, len(s.Refusals)),
	}
	for _, w := range s.Warnings {
		st.Warnings = append(st.Warnings, ipc.Warning{Time: w.Time.Round(0).UTC(), Message: w.Message})
	}
	for _, r := range s.Refusals {
		st.Refusals = append(st.Refusals, ipc.Refusal{Time: r.At.Round(0).UTC(), Reason: r.Reason.String(), Detail: r.Detail})
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{s.Primary, "PRIMARY"}, {s.Busy, "BUSY"}, {s.BOOTP, "BOOTP"}, {s.Failed, "FAILED"}} {
		if f.on {
			st.Flags = append(st.Flags, f.name)
		}
	}
	if !s.Addr.IsValid() {
		return st
	}
	st.Address = s.Addr.Addr().String()
	st.Prefix = s.Addr.Bits()
	st.Server = s.Server.String()
	st.Began = wall(s.Began)
	st.T1, st.T2, st.Expires = wall(s.T1), wall(s.T2), wall(s.Expires)
	return st
}

// Event is a change on one interface as watch streams it (SPEC §3): a
// state change (From, To) or a hook event (Event, in state To). Sent by
// the interface actor to the event bus (ipc.Bus) through Wire.
type Event struct {
	Ifname string
	Time   time.Time
	// Hook is the hook event; "" for a state change.
	Hook     lease.EventName
	From, To lease.State
	// Until is, entering V6ONLY, when DHCPv4 resumes (RFC 8925).
	Until    time.Time
	Counters lease.Counters
	// Lease is the lease held after the change, nil when none.
	Lease *lease.Lease
}

// Wire is e as watch streams it.
func (e Event) Wire() *ipc.Event {
	ev := &ipc.Event{Time: e.Time.Round(0), Ifname: e.Ifname, Kind: "state", State: e.To.String(),
		Sent: e.Counters.Sent, Received: e.Counters.Received, Declined: e.Counters.Declined,
		Until: wall(e.Until)}
	if e.Hook != "" {
		ev.Kind, ev.Event = "event", string(e.Hook)
	} else {
		ev.From = e.From.String()
	}
	if e.Lease != nil {
		ev.Address = e.Lease.Addr.Addr().String()
	}
	return ev
}

// TransitionOf is the watch event of the machine's change of state t on
// ifname at now, st being the machine's status after it: its counters and
// lease, and entering V6ONLY when DHCPv4 resumes.
func TransitionOf(ifname string, now time.Time, t lease.Transition, st lease.Status) Event {
	e := Event{Ifname: ifname, Time: now, From: t.From, To: t.To, Counters: st.Counters, Lease: st.Lease}
	if t.To == lease.V6Only {
		e.Until = st.V6OnlyUntil
	}
	return e
}

// HookEventOf is the watch event of the hook event h on ifname at now, in
// the state st (the machine's status after it) says, with its counters
// and lease.
func HookEventOf(ifname string, now time.Time, h lease.EventName, st lease.Status) Event {
	return Event{Ifname: ifname, Time: now, Hook: h, To: st.State, Counters: st.Counters, Lease: st.Lease}
}

// wall strips the monotonic reading for display; nil for the zero Time.
func wall(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	w := t.Round(0)
	return &w
}
