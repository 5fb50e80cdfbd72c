package hook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "eventhook")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, r *Runner, env ...string) error {
	t.Helper()
	done := make(chan error, 1)
	if err := r.Start("eth0", "BOUND", env, func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("hook did not finish")
		return nil
	}
}

func TestArgumentsEnvironmentStdin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	r := &Runner{Path: script(t, `echo "$1 $2 $DHCP_ADDRESS" > `+out+`; cat >> `+out)}
	if err := run(t, r, "DHCP_ADDRESS=198.18.0.100"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if got := string(b); got != "eth0 BOUND 198.18.0.100\n" {
		t.Fatalf("hook wrote %q (stdin must be empty)", got)
	}
}

func TestFailureReported(t *testing.T) {
	if err := run(t, &Runner{Path: script(t, "exit 3")}); err == nil {
		t.Fatal("a failing hook reported success")
	}
}

func TestHangingHookTerminatedThenKilled(t *testing.T) {
	// Ignores SIGTERM: only SIGKILL ends it.
	r := &Runner{Path: script(t, "trap '' TERM; while :; do sleep 1; done"), Term: 100 * time.Millisecond, Kill: 100 * time.Millisecond}
	start := time.Now()
	err := run(t, r)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("err = %v, want killed", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	r = &Runner{Path: script(t, "sleep 30"), Term: 100 * time.Millisecond, Kill: 5 * time.Second}
	if err := run(t, r); err == nil || !strings.Contains(err.Error(), "terminated") {
		t.Fatalf("err = %v, want terminated", err)
	}
}

func TestNoHook(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "hook")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	// No hook where another user could put one is no hook, not a refusal:
	// nothing is there to run.
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/nonexistent/hook", notExec, t.TempDir(), filepath.Join(open, "eventhook")} {
		r := &Runner{Path: path}
		if err := r.Start("eth0", "BOUND", nil, func(error) { t.Error("done called") }); !errors.Is(err, ErrNoHook) {
			t.Errorf("%s: %v, want ErrNoHook", path, err)
		}
	}
	if err := (&Runner{}).Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestHostileValues: a NUL in a value (which exec refuses) does not stop
// the hook, a newline plants no variable in anything that reads the
// environment line by line, and an overlong value is capped.
func TestHostileValues(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	r := &Runner{Path: script(t, `env > `+out)}
	err := run(t, r,
		"DHCP_DOMAIN=evil\x00.com",
		"DHCP_SEARCH=x\nDHCP_PLANTED=1",
		"DHCP_SERVER=\x1b]0;title\x07",
		"DHCP_LONG="+strings.Repeat("a", 100000),
		"BAD NAME=1",
		"DHCP_OK=198.18.0.1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if name, value, ok := strings.Cut(l, "="); ok {
			lines[name] = value
		}
	}
	for name, want := range map[string]string{
		"DHCP_DOMAIN": `evil\x00.com`,
		"DHCP_SEARCH": `x\x0aDHCP_PLANTED=1`,
		"DHCP_SERVER": `\x1b]0;title\x07`,
		"DHCP_OK":     "198.18.0.1",
		"DHCP_LONG":   strings.Repeat("a", MaxValue),
	} {
		if got := lines[name]; got != want {
			t.Errorf("%s = %.80q, want %.80q", name, got, want)
		}
	}
	for _, name := range []string{"DHCP_PLANTED", "BAD NAME"} {
		if _, ok := lines[name]; ok {
			t.Errorf("%s planted in the hook's environment", name)
		}
	}
}

func TestEnvNames(t *testing.T) {
	got := Env([]string{"A=1", "_b9=2", "9A=3", "=4", "noequals", "A-B=5", "C=x=y"})
	want := []string{"A=1", "_b9=2", "C=x=y"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Env = %q, want %q", got, want)
	}
}

// TestUntrustedHookRefused: a hook another user could have written is not
// run (sshd's StrictModes): writable by group or others, owned by another
// user, in a directory others can write (not sticky), or reached through
// a link in one. Each refusal says why and is counted by reason; a hook
// through a link in a safe directory, in a sticky /tmp-like one, runs.
func TestUntrustedHookRefused(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	body := "touch " + marker + "\n"
	openDir := func(t *testing.T, mode os.FileMode) string {
		d := filepath.Join(t.TempDir(), "d")
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		return d
	}
	chmod := func(mode os.FileMode) func(t *testing.T, path string) string {
		return func(t *testing.T, path string) string {
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	moveInto := func(mode os.FileMode) func(t *testing.T, path string) string {
		return func(t *testing.T, path string) string {
			p := filepath.Join(openDir(t, mode), "eventhook")
			if err := os.Rename(path, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	linkFrom := func(mode os.FileMode) func(t *testing.T, path string) string {
		return func(t *testing.T, path string) string {
			link := filepath.Join(openDir(t, mode), "eventhook")
			if err := os.Symlink(path, link); err != nil {
				t.Fatal(err)
			}
			return link
		}
	}
	// chain links path from a safe directory through a link hop in a
	// directory made by mid: eventhook -> mid/hop -> path, the case a
	// check of the directories above the path and above its target misses.
	chain := func(mid func(t *testing.T, d string)) func(t *testing.T, path string) string {
		return func(t *testing.T, path string) string {
			d := openDir(t, 0o755)
			hop := filepath.Join(d, "hop")
			if err := os.Symlink(path, hop); err != nil {
				t.Fatal(err)
			}
			mid(t, d)
			return linkFrom(0o755)(t, hop)
		}
	}
	for _, tc := range []struct {
		name   string
		root   bool // needs root (chown)
		setup  func(t *testing.T, path string) string
		reason string // "" when it runs
		why    string
	}{
		{name: "group-writable", setup: chmod(0o775), reason: "writable", why: "writable by group or others"},
		{name: "world-writable", setup: chmod(0o757), reason: "writable", why: "writable by group or others"},
		{name: "another user's", root: true, setup: func(t *testing.T, path string) string {
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return path
		}, reason: "owner", why: "owned by uid 65534"},
		{name: "in a world-writable directory", setup: moveInto(0o777), reason: "directory", why: "writable by other users"},
		{name: "in a group-writable directory", setup: moveInto(0o770), reason: "directory", why: "writable by other users"},
		{name: "in a directory another user owns", root: true, setup: func(t *testing.T, path string) string {
			p := moveInto(0o755)(t, path)
			if err := os.Chown(filepath.Dir(p), 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return p
		}, reason: "directory", why: "owned by uid 65534"},
		{name: "through a link in a world-writable directory", setup: linkFrom(0o777), reason: "directory", why: "writable by other users"},
		{name: "through a link in a safe directory", setup: linkFrom(0o755)},
		{name: "through a chain via a world-writable directory", setup: chain(func(t *testing.T, d string) {
			if err := os.Chmod(d, 0o777); err != nil {
				t.Fatal(err)
			}
		}), reason: "directory", why: "writable by other users"},
		{name: "through a chain via a directory another user owns", root: true, setup: chain(func(t *testing.T, d string) {
			if err := os.Chown(d, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}), reason: "directory", why: "is owned by uid 65534"},
		{name: "through a link another user owns", root: true, setup: chain(func(t *testing.T, d string) {
			if err := os.Lchown(filepath.Join(d, "hop"), 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}), reason: "directory", why: "symbolic link"},
		{name: "through a chain of safe links", setup: chain(func(*testing.T, string) {})},
		{name: "in a sticky world-writable directory", setup: moveInto(0o777 | os.ModeSticky)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Geteuid() != 0 {
				t.Skip("chown to another user needs root")
			}
			os.Remove(marker)
			r := &Runner{Path: tc.setup(t, script(t, body))}
			if tc.reason == "" {
				if err := run(t, r); err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(marker); err != nil {
					t.Fatalf("the hook did not run: %v", err)
				}
				return
			}
			err := r.Start("eth0", "BOUND", nil, func(error) { t.Error("done called for a refused hook") })
			if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("Start = %v; want ErrUntrusted saying %q", err, tc.why)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the refused hook ran")
			}
			for reason, n := range r.Refused() {
				if want := map[bool]uint64{true: 1}[reason == tc.reason]; n != want {
					t.Errorf("refused[%s] = %d, want %d", reason, n, want)
				}
			}
		})
	}
}

// gated returns a hook that blocks until open is called (it reads a FIFO
// that open writes), so that a test decides when it ends without a sleep.
func gated(t *testing.T) (path string, open func()) {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "gate")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	return script(t, "read x < "+fifo), func() {
		t.Helper()
		opened := make(chan error, 1)
		go func() {
			// Blocks until the hook opens the FIFO to read it.
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err == nil {
				_, err = f.WriteString("go\n")
				f.Close()
			}
			opened <- err
		}()
		select {
		case err := <-opened:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the hook never opened its gate")
		}
	}
}

// TestWaitThenStartRefused: once Wait has returned nothing runs any more,
// since nobody would wait for it: a hook started after it (a late event
// of the shutdown) is refused with ErrStopped and its done never called.
// It used to run, unwaited for, as the agent exited.
func TestWaitThenStartRefused(t *testing.T) {
	r := &Runner{Path: script(t, "exit 0")}
	if err := r.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Start("eth0", "DROP", nil, func(error) { t.Error("done called") }); !errors.Is(err, ErrStopped) {
		t.Fatalf("Start after Wait = %v, want ErrStopped", err)
	}
}

// TestWaitCoversStartDuringWait: a hook started while Wait waits (the next
// of an interface's queue) is waited for as well: Wait returns only once
// its done has been called, and the runner is stopped after it.
func TestWaitCoversStartDuringWait(t *testing.T) {
	first, openFirst := gated(t)
	second, openSecond := gated(t)
	r := &Runner{Path: first}
	var mu sync.Mutex
	var ended []string
	end := func(name string) func(error) {
		return func(err error) {
			if err != nil {
				t.Errorf("%s hook: %v", name, err)
			}
			mu.Lock()
			ended = append(ended, name)
			mu.Unlock()
		}
	}
	if err := r.Start("eth0", "BOUND", nil, end("first")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waited := make(chan error, 1)
	go func() { waited <- r.Wait(ctx) }()
	r.Path = second // read by Start only, on this goroutine
	if err := r.Start("eth0", "DROP", nil, end("second")); err != nil {
		t.Fatal(err)
	}
	openFirst()
	openSecond()
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := append([]string(nil), ended...)
	mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("Wait returned with hooks %v ended, want both", got)
	}
	if err := r.Start("eth0", "DROP", nil, func(error) { t.Error("done called") }); !errors.Is(err, ErrStopped) {
		t.Fatalf("Start after Wait = %v, want ErrStopped", err)
	}
}

// TestWaitRacesStart: a Start concurrent with a Wait that finds nothing
// running is either refused or waited for, never left running when Wait
// returns (run with -race: a WaitGroup's Add from zero concurrent with
// its Wait is a misuse the detector reports).
func TestWaitRacesStart(t *testing.T) {
	path := script(t, "exit 0")
	for range 50 {
		r := &Runner{Path: path}
		var ended atomic.Bool
		started := make(chan error, 1)
		go func() { started <- r.Start("eth0", "DROP", nil, func(error) { ended.Store(true) }) }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := r.Wait(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		done := ended.Load()
		switch err := <-started; {
		case errors.Is(err, ErrStopped):
		case err != nil:
			t.Fatal(err)
		case !done:
			t.Fatal("Wait returned while a hook it let start was running")
		}
	}
}
