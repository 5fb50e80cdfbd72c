//go:build integration

package integration

// Unprivileged attacks on the control socket (issue 12): processes run as
// user nobody (setpriv) flood it with idle connections until the agent is
// out of descriptors, trickle requests a byte at a time (slowloris), open
// watch streams by the dozen and ask for absurd `info` fields. Throughout,
// root is served within 3 s and the interface keeps its address.
//
// The attacker is this test binary run again (copied where nobody can
// execute it) with attackerEnv set: init sees it and runs runAttacker
// instead of the tests.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// attackerEnv, in a process's environment, makes the test binary an
// attacker: "MODE SOCKET WORKERS DURATION" (see runAttacker).
const attackerEnv = "DHCPAGENT_TEST_ATTACKER"

func init() {
	if spec := os.Getenv(attackerEnv); spec != "" {
		os.Exit(runAttacker(spec))
	}
}

// attackReport is what an attacker prints on stdout when it is done.
type attackReport struct {
	Dials      int            `json:"dials"`
	DialErrors int            `json:"dial_errors"`
	Replies    map[string]int `json:"replies"`  // first reply of each connection, by error code ("OK": none)
	NoReply    int            `json:"no_reply"` // connections closed, or still open at the end, without a reply
	MaxHeld    int            `json:"max_held"` // most watch streams held at once
}

// runAttacker runs WORKERS goroutines against the control socket SOCKET
// for DURATION, each connecting again as soon as its connection ends:
//
//   - idle: connect and send nothing (the agent closes it after 3 s, or
//     refuses it at once with LIMIT);
//   - slow: trickle a status request a byte every 400 ms, so that it would
//     take far longer than the 3 s allowed;
//   - watch: ask for a watch stream and, when it is granted, hold it to
//     the end reading its events; a refused one is asked again 50 ms later.
//
// It returns the exit status: 0 once the report is printed, 2 on a bad spec.
func runAttacker(spec string) int {
	f := strings.Fields(spec)
	if len(f) != 4 {
		fmt.Fprintf(os.Stderr, "attacker: bad spec %q\n", spec)
		return 2
	}
	mode, sock := f[0], f[1]
	workers, err1 := strconv.Atoi(f[2])
	d, err2 := time.ParseDuration(f[3])
	if err := errors.Join(err1, err2); err != nil || (mode != "idle" && mode != "slow" && mode != "watch") {
		fmt.Fprintf(os.Stderr, "attacker: bad spec %q: %v\n", spec, err)
		return 2
	}
	end := time.Now().Add(d)
	var mu sync.Mutex
	rep := attackReport{Replies: map[string]int{}}
	held := 0
	count := func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
	}
	once := func() {
		conn, err := net.DialTimeout("unix", sock, time.Until(end))
		if err != nil {
			count(func() { rep.DialErrors++ })
			time.Sleep(10 * time.Millisecond) // the backlog is full: let it drain
			return
		}
		defer conn.Close()
		count(func() { rep.Dials++ })
		_ = conn.SetDeadline(end)
		switch mode {
		case "slow":
			go func() {
				var b strings.Builder
				_ = writeFrame(&b, []byte(statusBody(1)))
				for _, c := range []byte(b.String()) {
					if _, err := conn.Write([]byte{c}); err != nil {
						return
					}
					time.Sleep(400 * time.Millisecond)
				}
			}()
		case "watch":
			if err := writeFrame(conn, []byte(`{"version":1,"id":1,"command":"watch"}`)); err != nil {
				count(func() { rep.NoReply++ })
				return
			}
		}
		r, err := readReply(conn)
		if err != nil {
			count(func() { rep.NoReply++ })
			return
		}
		code := r.Error
		if code == "" {
			code = "OK"
		}
		count(func() { rep.Replies[code]++ })
		if mode == "watch" {
			if code != "OK" {
				time.Sleep(50 * time.Millisecond)
				return
			}
			count(func() { held++; rep.MaxHeld = max(rep.MaxHeld, held) })
			_, _ = io.Copy(io.Discard, conn) // events, until the deadline
			count(func() { held-- })
		}
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(end) {
				once()
			}
		})
	}
	wg.Wait()
	b, _ := json.Marshal(rep)
	fmt.Println(string(b))
	return 0
}

// attacker is an attacker process started by Lab.StartAttacker.
type attacker struct {
	what, out string
	p         *proc
}

// StartAttacker runs the attacker (see runAttacker) as user nobody in the
// client namespace. The lab's directories must be open to others
// (openForOthers) and the socket beneath them.
func (l *Lab) StartAttacker(mode string, workers int, d time.Duration) *attacker {
	l.t.Helper()
	bin := filepath.Join(l.Dir, "attacker")
	if _, err := os.Stat(bin); err != nil {
		self, err := os.Executable()
		if err != nil {
			l.t.Fatal(err)
		}
		data, err := os.ReadFile(self)
		if err != nil {
			l.t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			l.t.Fatal(err)
		}
	}
	n := len(l.others)
	a := &attacker{what: fmt.Sprintf("%s attacker (%d workers, %v)", mode, workers, d),
		out: filepath.Join(l.Dir, fmt.Sprintf("attacker-%d.out", n))}
	argv := append(append([]string{"setpriv"}, asNobody...), "--", bin)
	env := []string{fmt.Sprintf("%s=%s %s %d %s", attackerEnv, mode, l.Socket, workers, d)}
	a.p = l.startFiles(a.what, l.ClientNS, a.out, a.out+".err", env, argv)
	l.others = append(l.others, a.p)
	return a
}

// Report waits (the attack's duration and 10 s more at most) for the
// attacker to end and returns its report.
func (a *attacker) Report(t *testing.T, d time.Duration) attackReport {
	t.Helper()
	select {
	case <-a.p.done:
	case <-time.After(d + 10*time.Second):
		a.p.kill()
		t.Fatalf("%s did not end", a.what)
	}
	var rep attackReport
	if a.p.err != nil || json.Unmarshal([]byte(readFile(a.out)), &rep) != nil {
		t.Fatalf("%s: %v: stdout %q, stderr %q", a.what, a.p.err, readFile(a.out), readFile(a.out+".err"))
	}
	t.Logf("%s: %+v", a.what, rep)
	return rep
}

// rootServedDuring checks, every 250 ms while the attacker runs, that root
// is answered within 3 s (`agentctl status` from start to exit) with the
// interface BOUND on addr, and that the kernel has addr all along. It
// returns the slowest answer.
func rootServedDuring(t *testing.T, lab *Lab, a *attacker, addr string) time.Duration {
	t.Helper()
	var slowest time.Duration
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for checks := 0; ; checks++ {
		select {
		case <-a.p.done:
			if checks < 4 {
				t.Errorf("%s: only %d checks of root's service while it ran", a.what, checks)
			}
			return slowest
		case <-tick.C:
		}
		began := time.Now()
		r := lab.CtlRoot("-o", "json", "status", ClientIface)
		took := time.Since(began)
		slowest = max(slowest, took)
		var st fullStatus
		if r.Code != 0 || jsonUnmarshal(r.Stdout, &st) != nil || st.State != "BOUND" || st.Address != addr || took > 3*time.Second {
			t.Errorf("under the %s: root's status took %v: %v; want BOUND on %s within 3 s", a.what, took, r, addr)
		}
		if !lab.ClientHasAddr(netip.MustParseAddr(addr)) {
			t.Errorf("under the %s: the kernel lost %s", a.what, addr)
		}
		if lab.agent.exited() {
			t.Fatalf("under the %s: the agent exited: %v", a.what, lab.agent.err)
		}
	}
}

// TestAttackUnprivileged: user nobody attacks an agent whose descriptors
// are few (RLIMIT_NOFILE 40 with prlimit, so that nobody's 32 connections
// exhaust them): 200 idle connections at a time, reconnecting as soon as
// each ends; 64 slowloris clients; 64 watch floods; then absurd `info`
// fields. Each attack must have hit the limit it is about (LIMIT replies,
// "descriptors" refusals in the log, PROTO for the trickled requests, at
// most 4 streams held); meanwhile root is answered within 3 s, BOUND on
// its address, the kernel keeps the address, and the agent never exits.
// Afterwards every connection is given back (the agent serves as many as
// before) and nobody's plain status works.
func TestAttackUnprivileged(t *testing.T) {
	// Not parallel: the floods take both cores, and the timing promises
	// of the tests running beside them (and this test's own 3 s) are
	// about the agent, not about a starved machine.
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true,
		AgentWrap: []string{"prlimit", "--nofile=40:40"}, AgentArgs: []string{"--test-hooks"}})
	lab.Socket = filepath.Join(lab.Dir, "run", "agent.sock")
	openForOthers(t, lab.Dir)
	lab.StartAgent()
	st := startBound(t, lab, "5")
	const d = 6 * time.Second

	t.Run("descriptors", func(t *testing.T) {
		since := lab.LogSize()
		a := lab.StartAttacker("idle", 200, d)
		slowest := rootServedDuring(t, lab, a, st.Address)
		rep := a.Report(t, d)
		t.Logf("root's slowest answer: %v", slowest)
		if rep.Replies["LIMIT"] == 0 {
			t.Errorf("no LIMIT reply among %d connections: the attack never reached a limit", rep.Dials)
		}
		if !strings.Contains(lab.AgentLog()[since:], `"reason":"descriptors"`) {
			t.Errorf("no refusal for descriptors logged: the agent never ran out of them")
		}
	})
	t.Run("slowloris", func(t *testing.T) {
		a := lab.StartAttacker("slow", 64, d)
		rootServedDuring(t, lab, a, st.Address)
		rep := a.Report(t, d)
		if rep.Replies["PROTO"] == 0 {
			t.Errorf("no trickled request answered PROTO: %+v", rep)
		}
		if rep.Replies["OK"] != 0 {
			t.Errorf("%d trickled requests served: none can complete within 3 s", rep.Replies["OK"])
		}
	})
	t.Run("watch", func(t *testing.T) {
		a := lab.StartAttacker("watch", 64, d)
		rootServedDuring(t, lab, a, st.Address)
		rep := a.Report(t, d)
		if rep.MaxHeld == 0 || rep.MaxHeld > 4 || rep.Replies["LIMIT"] == 0 {
			t.Errorf("watch flood: %+v; want 1-4 streams held at once and the rest refused LIMIT", rep)
		}
	})
	t.Run("info", func(t *testing.T) {
		// More than the supervisor's restarts allow, were each to panic
		// the interface actor.
		for i := range 12 {
			f := []string{"field:9223372036854775807:1", "field:1:9223372036854775807", "field:4294967296:4294967296", "field:-1:-1"}[i%4]
			r := lab.CtlAs(asNobody, "-o", "json", "info", "-i", ClientIface, f)
			checkFails(t, lab, r, "INVALID")
		}
		r := lab.CtlAs(asNobody, "info", "-i", ClientIface, "router")
		if r.Code != 0 || r.Stdout != router+"\n" {
			t.Errorf("%v after the absurd fields; want %s", r, router)
		}
		if r := lab.CtlRoot("ping", ClientIface); r.Code != 0 || r.Stdout != "OK\n" {
			t.Errorf("%v after the absurd fields; want OK (not FAILEDIF)", r)
		}
	})

	// Every attacker is gone: the agent holds no connection of theirs and
	// the interface is as it was.
	waitUntil(t, 5*time.Second, "the attackers' connections to be given back", func() error {
		if n := lab.IPCConns(); n != 1 {
			return fmt.Errorf("%d control connections served, want only this one", n)
		}
		return nil
	})
	var after fullStatus
	r := lab.CtlAs(asNobody, "-o", "json", "status", ClientIface)
	if r.Code != 0 || jsonUnmarshal(r.Stdout, &after) != nil || after.State != "BOUND" || after.Address != st.Address ||
		!after.Began.Equal(*st.Began) {
		t.Errorf("nobody's status after the attacks: %v; want BOUND on %s, the same lease", r, st.Address)
	}
}
