//go:build integration

package integration

// Harness of the IPC proofs (issue 4) and the ipadm proofs (issue 6):
// agentctl run as another user, exit statuses by error code, the
// commands the agent logged.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The unprivileged caller is nobody (uid 65534) in group nogroup (65534)
// only; the admin-group test names the existing group "users" as
// ADMIN_GROUP and gives it to nobody.
const (
	nobodyUID = 65534
	usersName = "users"
)

// asNobody are setpriv(1)'s arguments for the unprivileged caller.
var asNobody = []string{"--reuid=65534", "--regid=65534", "--clear-groups"}

// ctlRun is one agentctl run: what it printed and its exit status.
type ctlRun struct {
	Args   []string
	Stdout string
	Stderr string
	Code   int // exit status; -1 if it did not exit normally
}

func (r ctlRun) String() string {
	return fmt.Sprintf("agentctl %s: exit %d, stdout %q, stderr %q",
		strings.Join(r.Args, " "), r.Code, r.Stdout, strings.TrimSpace(r.Stderr))
}

// jsonError decodes the {"error": CODE, "message": TEXT} object agentctl
// prints with -o json on failure.
func (r ctlRun) jsonError() (ctlError, error) {
	var e ctlError
	err := json.Unmarshal([]byte(r.Stdout), &e)
	return e, err
}

// CtlAs runs agentctl --socket SOCK args... in the client namespace under
// setpriv with cred (nil: as root), and returns its output and exit status.
func (l *Lab) CtlAs(cred []string, args ...string) ctlRun {
	l.t.Helper()
	if l.ctlBin == "" {
		l.agentBin, l.ctlBin = findBinaries(l.t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	argv := []string{"netns", "exec", l.ClientNS}
	if cred != nil {
		argv = append(append(append(argv, "setpriv"), cred...), "--")
	}
	argv = append(append(argv, l.ctlBin, "--socket", l.Socket), args...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	r := ctlRun{Args: args, Code: 0}
	if err := cmd.Run(); err != nil {
		r.Code = -1
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			r.Code = ee.ExitCode()
		} else {
			l.t.Fatalf("agentctl %s: %v", strings.Join(args, " "), err)
		}
	}
	r.Stdout, r.Stderr = out.String(), errb.String()
	return r
}

// CtlRoot runs agentctl as root and returns its output and exit status.
func (l *Lab) CtlRoot(args ...string) ctlRun {
	l.t.Helper()
	return l.CtlAs(nil, args...)
}

// ExitStatus returns the exit status agentctl documents for an error code,
// from `agentctl exit-codes`.
func (l *Lab) ExitStatus(code string) int {
	l.t.Helper()
	st, ok := l.ExitStatuses()[code]
	if !ok {
		l.t.Fatalf("agentctl exit-codes lists no %s", code)
	}
	return st
}

var reExitLine = regexp.MustCompile(`^\s+(\d+)\s+(\S.*?)\s*$`)

// ExitStatuses parses `agentctl exit-codes`: error code (or description
// for 0, 1 and 2) -> exit status.
func (l *Lab) ExitStatuses() map[string]int {
	l.t.Helper()
	r := l.CtlRoot("exit-codes")
	if r.Code != 0 {
		l.t.Fatalf("%v", r)
	}
	m := map[string]int{}
	for line := range strings.SplitSeq(r.Stdout, "\n") {
		if f := reExitLine.FindStringSubmatch(line); f != nil {
			n, _ := strconv.Atoi(f[1])
			m[f[2]] = n
		}
	}
	if len(m) == 0 {
		l.t.Fatalf("no exit statuses in %q", r.Stdout)
	}
	return m
}

// checkFails asserts that r failed with error code: agentctl's exit status
// for it, and the -o json error object (when r ran with -o json) naming it
// with a message.
func checkFails(t *testing.T, l *Lab, r ctlRun, code string) {
	t.Helper()
	if want := l.ExitStatus(code); r.Code != want {
		t.Errorf("%v; want exit %d (%s)", r, want, code)
		return
	}
	if !strings.Contains(r.Stderr, code) {
		t.Errorf("%v; want stderr naming %s", r, code)
	}
	if !hasJSONFlag(r.Args) {
		return
	}
	if e, err := r.jsonError(); err != nil || e.Error != code || e.Message == "" {
		t.Errorf("%v; want the JSON error object {error: %s, message: ...} (%v)", r, code, err)
	}
}

func hasJSONFlag(args []string) bool {
	for i := range len(args) - 1 {
		if args[i] == "-o" && args[i+1] == "json" {
			return true
		}
	}
	return false
}

// openForOthers lets every user traverse (not list) the directories from
// the test's temporary root down to dir, so that an unprivileged agentctl
// can reach a socket under dir. t.TempDir makes them 0700; only those
// below os.TempDir() are changed, and a component above that others cannot
// traverse fails the test.
func openForOthers(t *testing.T, dir string) {
	t.Helper()
	tmp := filepath.Clean(os.TempDir())
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		mode := fi.Mode().Perm()
		if mode&0o001 == 0 {
			if !strings.HasPrefix(d, tmp+string(filepath.Separator)) {
				t.Fatalf("%s (mode %v) is not under %s and others cannot traverse it", d, mode, tmp)
			}
			if err := os.Chmod(d, mode|0o011); err != nil {
				t.Fatal(err)
			}
		}
		if d == "/" {
			return
		}
	}
}

// commandLog is one {"msg":"command"} line of the agent's log.
type commandLog struct {
	Command string `json:"command"`
	Iface   string `json:"iface"`
	UID     *int   `json:"uid"`
	PID     int    `json:"pid"`
}

// Commands returns the commands the agent logged (from the IPC actor and
// the watch stream), in order, over all its runs, starting at byte offset
// since of its log. The agent's own requests (its readiness check before
// READY=1 goes through the socket) are left out: only clients' count.
func (l *Lab) Commands(since int) []commandLog {
	log := l.AgentLog()
	if since > len(log) {
		since = len(log)
	}
	var out []commandLog
	for line := range strings.SplitSeq(log[since:], "\n") {
		var rec struct {
			Msg    string `json:"msg"`
			Logger string `json:"logger"`
			commandLog
		}
		// The admin actor logs its commands too, under logger "ipadm";
		// only the IPC server's and the IPC actor's lines count.
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "command" && rec.Logger == "" &&
			!l.agentPIDs[rec.PID] {
			out = append(out, rec.commandLog)
		}
	}
	return out
}

// LogSize is the agent log's current length, to pass to Commands.
func (l *Lab) LogSize() int { return len(l.AgentLog()) }
