//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUntrustedHookNotRun: a hook writable by its group is not run (sshd's
// StrictModes, docs/config.md): start still binds and answers, the agent
// logs why, and dhcpagent_hooks_refused_total{reason="writable"} counts
// it. Made 0755, the same hook runs for the next event.
func TestUntrustedHookNotRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hook, marker := filepath.Join(dir, "eventhook"), filepath.Join(dir, "ran")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho \"$2\" >> "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(hook, 0o775); err != nil {
		t.Fatal(err)
	}
	lab := newLab(t, LabOptions{Server: Dnsmasq, AgentArgs: []string{"--hook", hook, "--metrics", metricsAddr}})
	var st fullStatus
	if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", svBindWait); err != nil || st.State != "BOUND" {
		t.Fatalf("start: %+v, %v", st, err)
	}
	waitUntil(t, 5*time.Second, "the refusal logged", func() error {
		for line := range strings.SplitSeq(lab.AgentLog(), "\n") {
			if strings.Contains(line, "hook failed to start") && strings.Contains(line, "writable by group or others") {
				return nil
			}
		}
		return os.ErrNotExist
	})
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("the group-writable hook ran: %q", readFile(marker))
	}
	fams, err := lab.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := metricValue(fams, "dhcpagent_hooks_refused_total", map[string]string{"reason": "writable"}); !ok || n < 1 {
		t.Errorf("dhcpagent_hooks_refused_total{reason=writable} = %v (present %v), want at least 1", n, ok)
	}
	if err := os.Chmod(hook, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := lab.CtlJSON(&st, "extend", ClientIface); err != nil {
		t.Fatal(err)
	}
	if got := readFile(marker); got != "EXTEND\n" {
		t.Errorf("after chmod 0755 the hook wrote %q, want EXTEND", got)
	}
}
