package agent

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
)

func TestSummary(t *testing.T) {
	failed := messages.IfStatus{Failed: true, State: lease.Bound} // a failed actor's state means nothing
	for _, tc := range []struct {
		sts  []messages.IfStatus
		want string
	}{
		{nil, "0 interfaces: 0 bound, 0 acquiring, 0 failed"},
		{[]messages.IfStatus{{State: lease.Bound}, {State: lease.Renewing}, {State: lease.Selecting}, failed,
			{State: lease.InitReboot}, {State: lease.PreBound}},
			"6 interfaces: 2 bound, 3 acquiring, 1 failed"},
		{[]messages.IfStatus{{State: lease.Information}, {State: lease.Rebinding}}, "2 interfaces: 2 bound, 0 acquiring, 0 failed"},
	} {
		if got := summary(tc.sts); got != tc.want {
			t.Errorf("summary(%+v) = %q, want %q", tc.sts, got, tc.want)
		}
	}
}
