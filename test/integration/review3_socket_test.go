//go:build integration

package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReview3SocketLockSquatted (h12's review): a control socket in a
// sticky directory others can write (/tmp) is taken by listen, but the
// lock file beside it was opened without an owner check, so user nobody
// who created agent.sock.lock first and held a flock on it made root's
// agent refuse to start with "another agent is running". Want: the agent
// starts, or refuses naming the foreign lock file (agent/socket_linux.go
// checkLockFile refuses it), never ErrRunning.
func TestReview3SocketLockSquatted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (user nobody, a network namespace)")
	}
	agent, _ := findBinaries(t)
	dir := t.TempDir()
	run := filepath.Join(dir, "tmp")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(run, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	openForOthers(t, dir)
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(run, "agent.sock.lock")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nobody := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}
	if out, err := exec.CommandContext(ctx, nobody[0], append(nobody[1:], "touch", lock)...).CombinedOutput(); err != nil {
		t.Fatalf("touch as nobody: %v: %s", err, out)
	}
	holder := exec.CommandContext(ctx, nobody[0], append(nobody[1:], "flock", lock, "sleep", "8")...)
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = holder.Wait() }()
	deadline := time.Now().Add(3 * time.Second)
	for exec.Command("flock", "-n", lock, "true").Run() == nil { // wait until nobody holds it
		if time.Now().After(deadline) {
			t.Fatal("nobody's flock not held within 3 s")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	actx, acancel := context.WithTimeout(ctx, 3*time.Second)
	defer acancel()
	out, _ := exec.CommandContext(actx, "unshare", "-n", agent, "--socket", filepath.Join(run, "agent.sock"),
		"--state-dir", state, "--config", "/dev/null", "--hook", filepath.Join(dir, "nohook")).CombinedOutput()
	if strings.Contains(string(out), "another agent is running") {
		t.Fatalf("root's agent, with nobody's lock file in the socket's sticky directory: %s", lastLine(string(out)))
	}
	if !strings.Contains(string(out), lock) {
		t.Fatalf("root's agent did not name nobody's lock file %s: %s", lock, lastLine(string(out)))
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
