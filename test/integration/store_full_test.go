//go:build integration

package integration

import (
	"os"
	"os/exec"
	"testing"
)

// TestStoreFullDir: a state dir on a full file system, without host.json
// (a 64 KiB tmpfs, filled, in the agent's own mount namespace): the agent
// starts, binds, and status says writes fail. Issue 12 found that a full
// dir without host.json stopped the agent from starting.
func TestStoreFullDir(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true})
	if err := os.MkdirAll(lab.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	// The mount hides what is in the dir: the tmpfs gets its own leases and
	// interfaces directories, then a file that takes every block left.
	lab.opts.AgentWrap = []string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs -o size=64k,mode=0700 tmpfs "$0" && mkdir "$0/leases" "$0/interfaces" && ` +
			`chmod 0700 "$0/leases" "$0/interfaces" && ` +
			`{ head -c 1048576 /dev/zero > "$0/.fill" 2>/dev/null; [ "$(df --output=avail "$0" | tail -1)" -eq 0 ] || exit 97; } && exec "$@"`,
		lab.StateDir}
	lab.StartAgent()
	bindsWithoutWrites(t, lab)
}
