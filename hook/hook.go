// Package hook runs the event hook (SPEC §5): `HOOK IFNAME EVENT` with the
// lease in the environment, stdin on /dev/null, SIGTERM after 55 s and
// SIGKILL 3 s later. A hook that fails is reported, never fatal. Runner
// counts the hooks in flight so the agent can wait for them when it stops.
//
// Values in the environment come from the network: Env escapes them
// (package safetext) and caps their length, so a NUL in an option never
// stops the hook from running and a newline never plants a variable.
//
// LeaseEnv describes a lease to the hook; Queue decides, for one
// interface, which hook runs next and what a storm of events folds or
// skips (pure: the interface actor runs the hooks and logs).
package hook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dhcpagent/dhcpagent/safetext"
)

// Default limits of SPEC §5.
const (
	DefaultTerm = 55 * time.Second
	DefaultKill = 3 * time.Second
)

// MaxValue caps one value of the hook's environment, escapes included:
// room for every address of the longest option, far below what exec
// allows for one string (128 KiB).
const MaxValue = 4096

// Env returns vars, each NAME=VALUE, as the hook gets them: each value
// escaped (safetext.Escape) and cut to MaxValue bytes. An entry whose name
// is not a shell variable name ([A-Za-z_][A-Za-z0-9_]*) is left out.
func Env(vars []string) []string {
	out := make([]string, 0, len(vars))
	for _, v := range vars {
		name, value, ok := strings.Cut(v, "=")
		if !ok || !varName(name) {
			continue
		}
		out = append(out, name+"="+safetext.Escape(value, MaxValue))
	}
	return out
}

func varName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Runner runs one hook program.
type Runner struct {
	// Path is the hook; when it is not an executable file nothing runs.
	Path string
	// Term and Kill are the grace periods before SIGTERM and, after it,
	// before SIGKILL.
	Term, Kill time.Duration
	wg         sync.WaitGroup
}

// ErrNoHook means there is no executable hook to run.
var ErrNoHook = errors.New("no executable hook")

// Start runs the hook for ifname and event with env added to the agent's
// environment (made safe by Env; the arguments are escaped too), and calls
// done with its outcome on another goroutine. When there is no hook it
// returns ErrNoHook and done is not called. It forks and execs: callers
// that must not block (an actor's Receive) call it from a goroutine.
func (r *Runner) Start(ifname, event string, env []string, done func(error)) error {
	fi, err := os.Stat(r.Path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return ErrNoHook
	}
	term, kill := r.Term, r.Kill
	if term == 0 {
		term = DefaultTerm
	}
	if kill == 0 {
		kill = DefaultKill
	}
	cmd := exec.Command(r.Path, safetext.Escape(ifname, MaxValue), safetext.Escape(event, MaxValue))
	cmd.Env = append(os.Environ(), Env(env)...)
	cmd.Stdin = nil // /dev/null
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start hook %s: %w", r.Path, err)
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		done(wait(cmd, term, kill))
	}()
	return nil
}

// wait waits for the hook, sending SIGTERM to its process group after term
// and SIGKILL kill later.
func wait(cmd *exec.Cmd, term, kill time.Duration) error {
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	signal := func(s syscall.Signal) { _ = syscall.Kill(-cmd.Process.Pid, s) }
	select {
	case err := <-exited:
		return err
	case <-time.After(term):
	}
	signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		return fmt.Errorf("hook ran longer than %v, terminated: %w", term, err)
	case <-time.After(kill):
	}
	signal(syscall.SIGKILL)
	return fmt.Errorf("hook ran longer than %v, killed: %w", term+kill, <-exited)
}

// Wait waits for every hook started so far, or for ctx.
func (r *Runner) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
