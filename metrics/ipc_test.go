package metrics

import "testing"

// TestLabelledCounters: the counts kept elsewhere (the control socket's
// refusals, the state dir's problems, the hook's refusals) are exposed
// under their label, zeros included.
func TestLabelledCounters(t *testing.T) {
	counts := func(m map[string]uint64) func() map[string]uint64 { return func() map[string]uint64 { return m } }
	for _, tc := range []struct {
		opts   Options
		metric string
		label  string
		want   map[string]float64
	}{
		{Options{IPCRefused: counts(map[string]uint64{"conns_per_uid": 3, "timeout": 0})},
			"dhcpagent_ipc_refused_total", "reason", map[string]float64{"conns_per_uid": 3, "timeout": 0}},
		{Options{StateProblems: counts(map[string]uint64{"set_aside": 2, "write_failed": 0})},
			"dhcpagent_state_problems_total", "kind", map[string]float64{"set_aside": 2, "write_failed": 0}},
		{Options{HooksRefused: counts(map[string]uint64{"owner": 0, "writable": 4, "directory": 1})},
			"dhcpagent_hooks_refused_total", "reason", map[string]float64{"owner": 0, "writable": 4, "directory": 1}},
	} {
		fams := scrape(t, New(tc.opts))
		for v, want := range tc.want {
			got, ok := value(fams, tc.metric, map[string]string{tc.label: v})
			if !ok || got != want {
				t.Errorf("%s{%s=%q} = %v (present %v), want %v", tc.metric, tc.label, v, got, ok, want)
			}
		}
	}
}
