//go:build integration

package integration

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSetHostname: SET_HOSTNAME=yes sets the host name from the primary
// interface's option 12 and puts the old one back at drop. The agent runs
// in a UTS namespace of its own, so the host's name is never touched.
func TestSetHostname(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		wrap := []string{"unshare", "--uts", "sh", "-c", `hostname agent-before && exec "$@"`, "sh"}
		lab := newLab(t, LabOptions{Server: kind, HostName: "web1", AgentConfig: "SET_HOSTNAME=yes\n", AgentWrap: wrap})
		name := func() string {
			out, err := exec.Command("nsenter", "-t", strconv.Itoa(lab.agent.cmd.Process.Pid), "-u", "hostname").CombinedOutput()
			if err != nil {
				t.Fatalf("hostname in the agent's namespace: %v: %s", err, out)
			}
			return strings.TrimSpace(string(out))
		}
		if got := name(); got != "agent-before" {
			t.Fatalf("the agent's UTS namespace is named %q before any lease", got)
		}
		startNIC(t, lab, labNIC(), true)
		waitUntil(t, 5*time.Second, "the host name from option 12", func() error {
			if got := name(); got != "web1" {
				return fmt.Errorf("host name %q", got)
			}
			return nil
		})
		if _, err := lab.Ctl("drop", ClientIface); err != nil {
			t.Fatalf("drop: %v", err)
		}
		if got := name(); got != "agent-before" {
			t.Fatalf("host name %q after drop, want the one before", got)
		}
	})
}
