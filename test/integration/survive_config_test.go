//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSurviveConfig: the agent refuses to start on a configuration file
// with an unknown key or a bad value, exiting non-zero with a message that
// names FILE:LINE. Running, it re-reads the file on SIGHUP: a bad file is
// logged ("configuration not reloaded", naming FILE:LINE) and the old
// configuration stays in force; a good one is logged ("configuration
// reloaded") and used from then on (ROUTE_METRIC on the next binding).
func TestSurviveConfig(t *testing.T) {
	t.Parallel()
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		// A lab for its namespace: the agent is run there, by hand.
		lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true})
		agentBin, _ := findBinaries(t)
		for _, tc := range []struct {
			name, text string
			line       int
		}{
			{"unknown key", "SELECT_WAIT=0\n# a comment\nNO_SUCH_KEY=1\n", 3},
			{"bad value", "ARP_PROBE=maybe\n", 1},
			{"unknown key of an interface", "SELECT_WAIT=0\n" + ClientIface + ".NO_SUCH_KEY=yes\n", 2},
			{"bad value of an interface", "\n\n" + ClientIface + ".ROUTE_METRIC=-1\n", 3},
			{"not KEY=VALUE", "SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE\n", 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dir := t.TempDir()
				conf := filepath.Join(dir, "dhcpagent.conf")
				if err := os.WriteFile(conf, []byte(tc.text), 0o644); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, "ip", "netns", "exec", lab.ClientNS, agentBin,
					"--socket", filepath.Join(dir, "agent.sock"), "--state-dir", filepath.Join(dir, "state"), "--config", conf)
				out, err := cmd.CombinedOutput()
				ee, ok := errors.AsType[*exec.ExitError](err)
				if !ok || ee.ExitCode() <= 0 || ctx.Err() != nil {
					t.Fatalf("agent with %q: %v (%s), want a non-zero exit:\n%s", tc.text, err, ctx.Err(), out)
				}
				if want := fmt.Sprintf("%s:%d", conf, tc.line); !strings.Contains(string(out), want) {
					t.Errorf("agent's message does not name %s:\n%s", want, out)
				}
				t.Logf("exit %d: %s", ee.ExitCode(), svLastLine(string(out)))
			})
		}
	})
	// A file another user could have written (here: writable by group
	// and others) is refused the same way, naming it and why (fstrust,
	// docs/config.md): it names files root rewrites and who is an admin.
	t.Run("untrusted", func(t *testing.T) {
		t.Parallel()
		lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true})
		agentBin, _ := findBinaries(t)
		dir := t.TempDir()
		conf := filepath.Join(dir, "dhcpagent.conf")
		if err := os.WriteFile(conf, []byte(agentConfigDefaults), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(conf, 0o666); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "ip", "netns", "exec", lab.ClientNS, agentBin,
			"--socket", filepath.Join(dir, "agent.sock"), "--state-dir", filepath.Join(dir, "state"), "--config", conf).CombinedOutput()
		ee, ok := errors.AsType[*exec.ExitError](err)
		if !ok || ee.ExitCode() <= 0 || ctx.Err() != nil {
			t.Fatalf("agent with a world-writable configuration: %v (%s), want a non-zero exit:\n%s", err, ctx.Err(), out)
		}
		if want := conf + ": another user could have written it: writable by group or others"; !strings.Contains(string(out), want) {
			t.Errorf("agent's message does not say %q:\n%s", want, out)
		}
		t.Logf("exit %d: %s", ee.ExitCode(), svLastLine(string(out)))
	})
	t.Run("sighup", func(t *testing.T) {
		t.Parallel()
		lab := newLab(t, LabOptions{Server: Dnsmasq})
		conf := filepath.Join(lab.Dir, "dhcpagent.conf") // StartAgent's --config
		// A SIGHUP as soon as the socket is there (the agent may still be
		// starting) is a reload, never fatal.
		if err := lab.agent.signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		lab.svWaitLog(5*time.Second, "configuration reloaded", "")
		if _, err := lab.Ctl("status"); err != nil {
			t.Fatalf("agent after an early SIGHUP: %v", err)
		}
		hup := func(text string) {
			t.Helper()
			if err := os.WriteFile(conf, []byte(agentConfigDefaults+text), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := lab.agent.signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
		metric := func() int {
			t.Helper()
			st := startBound(t, lab, svBindWait)
			routes := defaultRoutes(lab)
			if len(routes) != 1 {
				t.Fatalf("default routes %+v, want one", routes)
			}
			var dropped fullStatus
			if err := lab.CtlJSON(&dropped, "drop", ClientIface); err != nil {
				t.Fatalf("drop: %v", err)
			}
			t.Logf("bound %s, default route metric %d", st.Address, routes[0].Metric)
			return routes[0].Metric
		}

		// The bad line is line 6: after the four of agentConfigDefaults
		// and ROUTE_METRIC.
		hup("ROUTE_METRIC=5\nNO_SUCH_KEY=1\n")
		line := lab.svWaitLog(3*time.Second, "configuration not reloaded", "")
		t.Logf("agent: %s", line.Text)
		if want := conf + ":6"; !strings.Contains(line.Text, want) {
			t.Errorf("the log line does not name %s", want)
		}
		if lab.agent.exited() {
			t.Fatalf("agent exited after SIGHUP with a bad file: %v", lab.agent.err)
		}
		// Without ROUTE_METRIC a non-primary interface's routes have
		// 1000 + ifindex (SPEC §2).
		if got, want := metric(), 1000+ifindex(t, lab, ClientIface); got != want {
			t.Errorf("default route metric %d after a refused reload, want the old configuration's %d", got, want)
		}
		reloads := func() int { return strings.Count(lab.AgentLog(), `"configuration reloaded"`) }
		if n := reloads(); n != 1 {
			t.Errorf("\"configuration reloaded\" logged %d times, want once (the early SIGHUP, not the bad file)", n)
		}

		hup("ROUTE_METRIC=77\n")
		waitUntil(t, 3*time.Second, "a second \"configuration reloaded\"", func() error {
			if reloads() < 2 {
				return errors.New("not yet")
			}
			return nil
		})
		if got := metric(); got != 77 {
			t.Errorf("default route metric %d after the reload, want 77", got)
		}
		if err := lab.StopAgent(); err != nil {
			t.Errorf("agent after SIGTERM: %v, want exit 0", err)
		}
	})
}

// svLastLine returns the last non-empty line of s.
func svLastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
