package messages

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/lease"
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
