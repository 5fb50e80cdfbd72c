//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// svHookScript records each run of the event hook: a "begin" line when it
// starts, then, after sleeping 2 s, a "run" line with its arguments, its
// environment, its stdin and its start and end times (seconds since the
// epoch). With the file HANG next to it, it ignores SIGTERM and sleeps
// 100 s instead, its shell's pid (the process group) in PGID.
const svHookScript = `#!/bin/sh
dir=$(dirname "$0")
start=$(date +%s.%N)
echo "begin|$1|$2|$start" >>"$dir/hook.log"
if [ -e "$dir/HANG" ]; then
	echo $$ >"$dir/PGID"
	trap '' TERM
	sleep 100
fi
sleep 2
stdin=$(readlink /proc/$$/fd/0)
echo "run|argc=$#|if=$1|ev=$2|DHCP_IFNAME=$DHCP_IFNAME|DHCP_EVENT=$DHCP_EVENT|DHCP_ADDRESS=$DHCP_ADDRESS|DHCP_PREFIX=$DHCP_PREFIX|DHCP_ROUTERS=$DHCP_ROUTERS|DHCP_DNS=$DHCP_DNS|DHCP_DOMAIN=$DHCP_DOMAIN|DHCP_LEASE_TIME=$DHCP_LEASE_TIME|DHCP_SERVER=$DHCP_SERVER|stdin=$stdin|start=$start|end=$(date +%s.%N)" >>"$dir/hook.log"
`

// svHookRun is one "run" line of svHookScript.
type svHookRun struct {
	Fields     map[string]string
	Start, End time.Time
}

// svHookRuns parses the "run" lines of the hook's log.
func svHookRuns(t *testing.T, log string) []svHookRun {
	t.Helper()
	var runs []svHookRun
	for line := range strings.SplitSeq(log, "\n") {
		parts := strings.Split(line, "|")
		if parts[0] != "run" {
			continue
		}
		r := svHookRun{Fields: map[string]string{}}
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(p, "=")
			r.Fields[k] = v
		}
		r.Start, r.End = svEpoch(t, r.Fields["start"]), svEpoch(t, r.Fields["end"])
		delete(r.Fields, "start")
		delete(r.Fields, "end")
		runs = append(runs, r)
	}
	return runs
}

func svEpoch(t *testing.T, s string) time.Time {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("hook time %q: %v", s, err)
	}
	return time.Unix(0, int64(f*1e9))
}

// TestSurviveHooks: the event hook (--hook) runs once per event, as `HOOK
// IFNAME EVENT` with stdin on /dev/null and the lease in its environment:
// start -> BOUND, extend -> EXTEND, drop -> DROP, start again (INIT-REBOOT)
// -> BOUND, release -> RELEASE. Each command's reply comes after its hook
// has exited (the hook sleeps 2 s). A hook that ignores SIGTERM is killed
// at 55 + 3 s: start's reply still comes, about 58 s late, and the agent
// logs "hook failed". Last, SIGTERM runs the DROP hook and waits for it
// before the agent exits 0. One server: the hook does not depend on it,
// and the test takes over a minute.
func TestSurviveHooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hook := filepath.Join(dir, "eventhook")
	if err := os.WriteFile(hook, []byte(svHookScript), 0o755); err != nil {
		t.Fatal(err)
	}
	dns := "198.18.0.53"
	lab := newLab(t, LabOptions{Server: Dnsmasq, DNS: []netip.Addr{netip.MustParseAddr(dns)}, Domain: "lab.example",
		AgentArgs: []string{"--hook", hook}})
	hookLog := filepath.Join(dir, "hook.log")

	var addr string
	steps := []struct {
		args  []string
		event string
	}{
		{[]string{"start", ClientIface, "--wait", svBindWait}, "BOUND"},
		{[]string{"extend", ClientIface}, "EXTEND"},
		{[]string{"drop", ClientIface}, "DROP"},
		{[]string{"start", ClientIface, "--wait", svBindWait}, "BOUND"},
		{[]string{"release", ClientIface}, "RELEASE"},
	}
	var returned []time.Time
	for _, s := range steps {
		var st fullStatus
		began := time.Now()
		if err := lab.CtlJSON(&st, s.args...); err != nil {
			t.Fatalf("%v: %v", s.args, err)
		}
		returned = append(returned, time.Now())
		t.Logf("%v answered after %v: %s %s", s.args, time.Since(began).Round(time.Millisecond), st.State, st.Address)
		if s.args[0] == "start" {
			if addr != "" && st.Address != addr {
				t.Errorf("the second start bound %s, want %s again", st.Address, addr)
			}
			addr = st.Address
		}
	}

	runs := svHookRuns(t, readFile(hookLog))
	var events []string
	for _, r := range runs {
		events = append(events, r.Fields["ev"])
	}
	want := []string{"BOUND", "EXTEND", "DROP", "BOUND", "RELEASE"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Fatalf("hook runs (-want +got):\n%s\nhook log:\n%s", diff, readFile(hookLog))
	}
	for i, r := range runs {
		want := map[string]string{
			"argc": "2", "if": ClientIface, "ev": steps[i].event,
			"DHCP_IFNAME": ClientIface, "DHCP_EVENT": steps[i].event,
			"DHCP_ADDRESS": addr, "DHCP_PREFIX": "24", "DHCP_ROUTERS": router,
			"DHCP_DNS": dns, "DHCP_DOMAIN": "lab.example", "DHCP_LEASE_TIME": "600",
			"DHCP_SERVER": router, "stdin": "/dev/null",
		}
		if diff := cmp.Diff(want, r.Fields); diff != "" {
			t.Errorf("hook run %d (%s) (-want +got):\n%s", i+1, steps[i].event, diff)
		}
		if d := r.End.Sub(r.Start); d < 2*time.Second {
			t.Errorf("hook run %d lasted %v, want the 2 s it sleeps", i+1, d)
		}
		// The reply comes after the hook has exited.
		if returned[i].Before(r.End) {
			t.Errorf("%v answered at %v, before its %s hook ended at %v",
				steps[i].args, returned[i].Format(time.StampMilli), r.Fields["ev"], r.End.Format(time.StampMilli))
		}
	}
	if got := lab.svEvents(ClientIface); !slices.Equal(got, want) {
		t.Errorf("events logged %v, want %v", got, want)
	}

	// A hook that hangs: SIGTERM at 55 s is ignored, SIGKILL 3 s later.
	if err := os.WriteFile(filepath.Join(dir, "HANG"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var st fullStatus
	if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "100"); err != nil {
		t.Fatalf("start with a hanging hook: %v", err)
	}
	took := time.Since(began)
	t.Logf("start with a hanging hook answered after %v: %s %s", took.Round(time.Millisecond), st.State, st.Address)
	if took < 55*time.Second || took > 65*time.Second {
		t.Errorf("start answered after %v, want about 58 s (55-65 s)", took)
	}
	if st.State != "BOUND" {
		t.Errorf("start answered %+v, want BOUND", st)
	}
	line := lab.svWaitLog(3*time.Second, "hook failed", ClientIface)
	t.Logf("agent: %s", line.Text)
	if line.Event != "BOUND" {
		t.Errorf("hook failure logged for event %q, want BOUND", line.Event)
	}
	if n := strings.Count(readFile(hookLog), "begin|"+ClientIface+"|BOUND|"); n != 3 {
		t.Errorf("the hook began %d times for BOUND, want 3:\n%s", n, readFile(hookLog))
	}
	if n := len(svHookRuns(t, readFile(hookLog))); n != len(want) {
		t.Errorf("%d completed hook runs, want %d: the hanging one must not complete", n, len(want))
	}
	pgid, err := strconv.Atoi(strings.TrimSpace(readFile(filepath.Join(dir, "PGID"))))
	if err != nil {
		t.Fatalf("the hanging hook's PGID: %v", err)
	}
	waitUntil(t, 3*time.Second, "the hanging hook's process group to be gone", func() error {
		if pids := svGroupMembers(pgid); len(pids) > 0 {
			return fmt.Errorf("processes %v of group %d still run", pids, pgid)
		}
		return nil
	})
	// The agent is still there, and the interface still works.
	lab.svWaitState(3*time.Second, ClientIface, "BOUND", st.addr())

	// SIGTERM drops the interface and waits for the DROP hook to exit
	// before the agent exits 0.
	if err := os.Remove(filepath.Join(dir, "HANG")); err != nil {
		t.Fatal(err)
	}
	began = time.Now()
	if err := lab.StopAgent(); err != nil {
		t.Fatalf("agent after SIGTERM: %v, want exit 0", err)
	}
	stopped := time.Now()
	runs = svHookRuns(t, readFile(hookLog))
	if len(runs) != len(want)+1 || runs[len(runs)-1].Fields["ev"] != "DROP" {
		t.Fatalf("hook runs after SIGTERM: %d, want a DROP run last:\n%s", len(runs), readFile(hookLog))
	}
	last := runs[len(runs)-1]
	if last.Fields["DHCP_ADDRESS"] != st.Address {
		t.Errorf("DROP hook at SIGTERM had DHCP_ADDRESS %q, want %s", last.Fields["DHCP_ADDRESS"], st.Address)
	}
	if stopped.Before(last.End) {
		t.Errorf("the agent exited at %v, before its DROP hook ended at %v",
			stopped.Format(time.StampMilli), last.End.Format(time.StampMilli))
	}
	t.Logf("SIGTERM to exit: %v, DROP hook %v", stopped.Sub(began).Round(time.Millisecond), last.End.Sub(last.Start).Round(time.Millisecond))
}

// svGroupMembers lists the processes whose process group is pgid.
func svGroupMembers(pgid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, name := range stats {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			pids = append(pids, pid)
		}
	}
	return pids
}
