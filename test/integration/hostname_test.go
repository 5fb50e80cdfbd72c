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
// interface's option 12 and puts the old one back at release and at drop.
// The agent runs in a UTS namespace of its own, so the host's name is never
// touched.
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
		bind := func() {
			startNIC(t, lab, labNIC(), true)
			waitUntil(t, 5*time.Second, "the host name from option 12", func() error {
				if got := name(); got != "web1" {
					return fmt.Errorf("host name %q", got)
				}
				return nil
			})
		}
		letGo := func(verb string) {
			if _, err := lab.Ctl(verb, ClientIface); err != nil {
				t.Fatalf("%s: %v", verb, err)
			}
			if got := name(); got != "agent-before" {
				t.Fatalf("host name %q after %s, want the one before", got, verb)
			}
		}
		bind()
		letGo("release")
		bind()
		letGo("drop")
	})
}
