package messages

import (
	"net/netip"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/google/go-cmp/cmp"
)

func TestIfStatusState(t *testing.T) {
	for _, tc := range []struct {
		s     IfStatus
		name  string
		bound bool
	}{
		{IfStatus{}, "INIT", false},
		{IfStatus{State: lease.PreBound}, "PRE_BOUND", false}, // still probing the address
		{IfStatus{State: lease.Bound}, "BOUND", true},
		{IfStatus{State: lease.Renewing}, "RENEWING", true},
		{IfStatus{State: lease.Rebinding}, "REBINDING", true},
		{IfStatus{State: lease.Declining}, "DECLINING", false},
		{IfStatus{State: lease.Bound, Failed: true}, "FAILED", false},
	} {
		if got := tc.s.StateName(); got != tc.name {
			t.Errorf("%+v: StateName = %q, want %q", tc.s, got, tc.name)
		}
		if got := tc.s.Bound(); got != tc.bound {
			t.Errorf("%+v: Bound = %v, want %v", tc.s, got, tc.bound)
		}
	}
}

// TestStatusOf: BUSY while acquiring, waiting out SELECT_WAIT or holding
// a command for its transaction, not otherwise; a held lease's address,
// server and times, with no expiry for an infinite one.
func TestStatusOf(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &lease.Lease{Addr: netip.MustParsePrefix("198.18.0.100/24"), Server: netip.MustParseAddr("198.18.0.1"),
		Began: t0, Duration: time.Hour, T1: t0.Add(30 * time.Minute), T2: t0.Add(52 * time.Minute)}
	inf := &lease.Lease{Addr: l.Addr, Server: l.Server, Began: t0, Infinite: true, BOOTP: true}
	refusals := []lease.Refusal{{At: t0, Reason: lease.ReasonBadRoute}}
	warnings := []Warning{{Time: t0, Message: "state dir: x"}}
	for _, tc := range []struct {
		name string
		in   lease.Status
		want IfStatus
	}{
		{"idle", lease.Status{State: lease.Init}, IfStatus{Ifname: "eth0", State: lease.Init}},
		{"starting", lease.Status{State: lease.Init, Starting: true}, IfStatus{Ifname: "eth0", State: lease.Init, Busy: true}},
		{"selecting", lease.Status{State: lease.Selecting}, IfStatus{Ifname: "eth0", State: lease.Selecting, Busy: true}},
		{"declining", lease.Status{State: lease.Declining}, IfStatus{Ifname: "eth0", State: lease.Declining, Busy: true}},
		{"bound", lease.Status{State: lease.Bound, Lease: l, Counters: lease.Counters{Sent: 2}},
			IfStatus{Ifname: "eth0", State: lease.Bound, Addr: l.Addr, Server: l.Server, Began: t0, T1: l.T1, T2: l.T2,
				Expires: t0.Add(time.Hour), Counters: lease.Counters{Sent: 2}}},
		{"renewing on request", lease.Status{State: lease.Renewing, Lease: l, Busy: true},
			IfStatus{Ifname: "eth0", State: lease.Renewing, Busy: true, Addr: l.Addr, Server: l.Server, Began: t0,
				T1: l.T1, T2: l.T2, Expires: t0.Add(time.Hour)}},
		{"infinite bootp", lease.Status{State: lease.Bound, Lease: inf},
			IfStatus{Ifname: "eth0", State: lease.Bound, BOOTP: true, Addr: l.Addr, Server: l.Server, Began: t0}},
		{"v6only", lease.Status{State: lease.V6Only, V6OnlyUntil: t0}, IfStatus{Ifname: "eth0", State: lease.V6Only, V6OnlyUntil: t0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := StatusOf("eth0", tc.in, false, nil, nil)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	got := StatusOf("eth1", lease.Status{}, true, refusals, warnings)
	if !got.Primary || !cmp.Equal(got.Refusals, refusals) || !cmp.Equal(got.Warnings, warnings) {
		t.Errorf("StatusOf = %+v: want primary, the refusals and the warnings given", got)
	}
}

// A failed interface's status is FAILED whatever else it holds: its name,
// the flag and the warnings of its records, and nothing of a lease.
func TestFailedStatus(t *testing.T) {
	warnings := []Warning{{Time: time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC), Message: "state dir interfaces/eth1.json: bad"}}
	got := FailedStatus("eth1", warnings)
	if diff := cmp.Diff(IfStatus{Ifname: "eth1", Failed: true, Warnings: warnings}, got,
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("FailedStatus (-want +got):\n%s", diff)
	}
	if got.StateName() != "FAILED" || got.Bound() || got.Busy || got.Addr.IsValid() {
		t.Errorf("FailedStatus = %+v: state %s, bound %v", got, got.StateName(), got.Bound())
	}
	if got := FailedStatus("eth2", nil); got.Ifname != "eth2" || !got.Failed || got.Warnings != nil {
		t.Errorf("FailedStatus without warnings = %+v", got)
	}
}
