package agent

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
)

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		states []string
		want   string
	}{
		{nil, "0 interfaces: 0 bound, 0 acquiring, 0 failed"},
		{[]string{"BOUND", "RENEWING", "SELECTING", "FAILED", "INIT_REBOOT"},
			"5 interfaces: 2 bound, 2 acquiring, 1 failed"},
		{[]string{"INFORMATION", "REBINDING"}, "2 interfaces: 2 bound, 0 acquiring, 0 failed"},
	} {
		var sts []ipc.Status
		for _, s := range tc.states {
			sts = append(sts, ipc.Status{State: s})
		}
		if got := summary(sts); got != tc.want {
			t.Errorf("summary(%v) = %q, want %q", tc.states, got, tc.want)
		}
	}
}
