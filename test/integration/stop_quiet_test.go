//go:build integration

package integration

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSIGTERMQuiet: a normal stop of a bound agent exits 0 and logs no
// warning or error: closing the link watcher's netlink socket under its
// blocked receive once logged "link watch ... Receive failed: resource
// temporarily unavailable" as a warning at every SIGTERM.
func TestSIGTERMQuiet(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	var st fullStatus
	if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", svBindWait); err != nil || st.State != "BOUND" {
		t.Fatalf("start: %+v, %v", st, err)
	}
	if err := lab.StopAgent(); err != nil {
		t.Fatalf("agent exit: %v", err)
	}
	for line := range strings.SplitSeq(lab.AgentLog(), "\n") {
		var rec struct {
			Level string `json:"level"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && (rec.Level == "warn" || rec.Level == "error") {
			t.Errorf("logged at a clean stop: %s", line)
		}
	}
}
