package metrics

import "testing"

func TestIPCRefusals(t *testing.T) {
	m := New(Options{IPCRefused: func() map[string]uint64 {
		return map[string]uint64{"conns_per_uid": 3, "timeout": 0}
	}})
	fams := scrape(t, m)
	for reason, want := range map[string]float64{"conns_per_uid": 3, "timeout": 0} {
		got, ok := value(fams, "dhcpagent_ipc_refused_total", map[string]string{"reason": reason})
		if !ok || got != want {
			t.Errorf("dhcpagent_ipc_refused_total{reason=%q} = %v (present %v), want %v", reason, got, ok, want)
		}
	}
}

func TestStateProblems(t *testing.T) {
	m := New(Options{StateProblems: func() map[string]uint64 {
		return map[string]uint64{"set_aside": 2, "write_failed": 0}
	}})
	fams := scrape(t, m)
	for kind, want := range map[string]float64{"set_aside": 2, "write_failed": 0} {
		got, ok := value(fams, "dhcpagent_state_problems_total", map[string]string{"kind": kind})
		if !ok || got != want {
			t.Errorf("dhcpagent_state_problems_total{kind=%q} = %v (present %v), want %v", kind, got, ok, want)
		}
	}
}
