//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// agentConfigDefaults starts every configuration file StartAgent writes:
// no random wait before DISCOVER, the first acceptable offer, no RFC 5227
// probe, so that a lab binds in milliseconds; DNS=no, so that no lab ever
// hands DNS to the host's resolver (tests of DNS set their own mode and
// RESOLV_CONF). LabOptions.AgentConfig
// follows and, the agent's parser letting later lines win, overrides them.
const agentConfigDefaults = "SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=no\nDNS=no\n"

// StartAgent starts bin/agent in the client namespace, with the lab's socket
// and state dir, and waits (5 s at most) until its socket accepts connections.
func (l *Lab) StartAgent() {
	l.t.Helper()
	if l.agent != nil && !l.agent.exited() {
		l.t.Fatal("StartAgent: agent already running")
	}
	if l.agentBin == "" {
		l.agentBin, l.ctlBin = findBinaries(l.t)
	}
	conf := filepath.Join(l.Dir, "dhcpagent.conf")
	text := agentConfigDefaults + "# LabOptions.AgentConfig (written by the integration lab):\n" + l.opts.AgentConfig + "\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		l.t.Fatalf("agent config: %v", err)
	}
	args := append([]string{l.agentBin, "--socket", l.Socket, "--state-dir", l.StateDir, "--config", conf}, l.opts.AgentArgs...)
	args = append(slices.Clip(l.opts.AgentWrap), args...)
	l.agent = l.start("agent", l.ClientNS, l.agentLog, l.opts.AgentEnv, args)
	// ip netns exec (and any AgentWrap) execs the agent: same pid.
	l.agentPIDs[l.agent.cmd.Process.Pid] = true
	waitUntil(l.t, 5*time.Second, "agent socket "+l.Socket, func() error {
		if l.agent.exited() {
			return fmt.Errorf("agent exited: %v\n%s", l.agent.err, l.AgentLog())
		}
		// Dial rather than stat: after KillAgent a stale socket file stays.
		c, err := net.Dial("unix", l.Socket)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

// StopAgent sends SIGTERM and waits for the agent (SIGKILL after 10 s). It
// returns the agent's exit error: nil when it exited 0.
func (l *Lab) StopAgent() error {
	l.t.Helper()
	if l.agent == nil {
		l.t.Fatal("StopAgent: agent never started")
	}
	return l.agent.stop()
}

// KillAgent sends SIGKILL and waits for the agent to be gone.
func (l *Lab) KillAgent() {
	l.t.Helper()
	if l.agent == nil {
		l.t.Fatal("KillAgent: agent never started")
	}
	l.agent.kill()
}

// AgentLog returns everything the agent wrote to stderr, over all its runs.
func (l *Lab) AgentLog() string { return readFile(l.agentLog) }

// AgentEvents returns, in order, the events the agent logged over all its
// runs: lines {"msg":"event","event":"BOUND",...} give "BOUND". Lines that
// are not JSON are skipped.
func (l *Lab) AgentEvents() []string {
	var events []string
	for line := range strings.SplitSeq(l.AgentLog(), "\n") {
		var rec struct {
			Msg   string `json:"msg"`
			Event string `json:"event"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "event" && rec.Event != "" {
			events = append(events, rec.Event)
		}
	}
	return events
}

// Ctl runs agentctl --socket SOCK args... in the client namespace. On failure
// the error carries the exit code and stderr.
func (l *Lab) Ctl(args ...string) (stdout string, err error) {
	l.t.Helper()
	if l.ctlBin == "" {
		l.agentBin, l.ctlBin = findBinaries(l.t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout) // not t.Context: usable in t.Cleanup too
	defer cancel()
	argv := append([]string{"netns", "exec", l.ClientNS, l.ctlBin, "--socket", l.Socket}, args...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		code := -1
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			code = ee.ExitCode()
		}
		return out.String(), fmt.Errorf("agentctl %s: exit %d (%v): %s",
			strings.Join(args, " "), code, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// CtlJSON runs Ctl with "-o json" appended and unmarshals stdout into v.
func (l *Lab) CtlJSON(v any, args ...string) error {
	l.t.Helper()
	out, err := l.Ctl(append(slices.Clip(args), "-o", "json")...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("agentctl %s: bad JSON: %w: %q", strings.Join(args, " "), err, out)
	}
	return nil
}

// findBinaries returns bin/agent and bin/agentctl of the repository holding
// the working directory, or of the directory $DHCPAGENT_BIN when it is set
// (to test binaries built elsewhere).
func findBinaries(t *testing.T) (agent, agentctl string) {
	t.Helper()
	if dir := os.Getenv("DHCPAGENT_BIN"); dir != "" {
		return checkBinaries(t, filepath.Join(dir, "agent"), filepath.Join(dir, "agentctl"))
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
	return checkBinaries(t, filepath.Join(dir, "bin", "agent"), filepath.Join(dir, "bin", "agentctl"))
}

func checkBinaries(t *testing.T, agent, agentctl string) (string, string) {
	t.Helper()
	for _, b := range []string{agent, agentctl} {
		if _, err := os.Stat(b); err != nil {
			t.Fatalf("%s missing: run `make build` first (%v)", b, err)
		}
	}
	return agent, agentctl
}
