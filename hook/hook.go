// Package hook runs the event hook (SPEC §5): `HOOK IFNAME EVENT` with the
// lease in the environment, stdin on /dev/null, SIGTERM after 55 s and
// SIGKILL 3 s later. A hook that fails is reported, never fatal. Runner
// counts the hooks in flight so the agent can wait for them when it stops,
// and runs none after that wait.
//
// A hook file another user could have written is never run (Check: the
// rules of sshd's StrictModes); each refusal is counted by reason.
//
// Values in the environment come from the network: Env escapes them
// (package safetext) and caps their length, so a NUL in an option never
// stops the hook from running and a newline never plants a variable.
//
// LeaseEnv describes a lease to the hook; Queue decides, for one
// interface, which hook runs next and what a storm of events folds or
// skips (pure); Driver runs one interface's hooks from its Queue off the
// actor's Receive, logs what the queue decided, and lets each event's
// answers go once its hook has exited.
package hook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dhcpagent/dhcpagent/fstrust"
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
	// A symbolic link is followed; the file it names is the one checked
	// and run (see Check).
	Path string
	// Term and Kill are the grace periods before SIGTERM and, after it,
	// before SIGKILL.
	Term, Kill time.Duration
	refused    [numRefusals]atomic.Uint64

	// The hooks in flight, counted under mu rather than by a WaitGroup:
	// a Start may come while Wait waits (a Driver starts an interface's
	// next hook when one ends, and the events of the shutdown start
	// theirs late), and a WaitGroup's Add from zero concurrent with its
	// Wait is a misuse that lets Wait return before that hook ends. Once
	// Wait has seen none running (or given up), stopped refuses every
	// later Start, so nothing runs unwaited for.
	mu      sync.Mutex
	running int
	idle    chan struct{} // made by a waiting Wait, closed when running is 0
	stopped bool
}

// ErrNoHook means there is no executable hook to run.
var ErrNoHook = errors.New("no executable hook")

// ErrStopped means the hook was not run because Wait has returned: the
// agent is stopping and would not wait for it.
var ErrStopped = errors.New("hook not run: the agent is stopping")

// ErrUntrusted means the hook exists but another user could have written
// it: it is not run. The error wrapping it says why.
var ErrUntrusted = errors.New("hook refused")

// Why a hook was refused: the metrics' reason label (Refused).
const (
	refusedOwner     = iota // owned by another user than root or the agent's
	refusedWritable         // writable by group or others
	refusedDirectory        // on the way to it, a directory or link another user could change (fstrust.Walk)
	numRefusals
)

var refusalNames = [numRefusals]string{"owner", "writable", "directory"}

// Refused returns how many times the hook was refused, by reason (owner,
// writable, directory), every reason present.
func (r *Runner) Refused() map[string]uint64 {
	out := make(map[string]uint64, numRefusals)
	for i, name := range refusalNames {
		out[name] = r.refused[i].Load()
	}
	return out
}

// Check returns the file Start would run: Path with its symbolic links
// resolved. It is ErrNoHook when that is not an executable regular file,
// and ErrUntrusted (wrapped, with the reason) when a user other than root
// and the agent's own could have changed what runs, as sshd's StrictModes
// decides: the file owned by another user, writable by group or others,
// or anything on the way to it that such a user could change. The path is
// resolved by fstrust.Walk, the rule the configuration is read under
// (docs/config.md): every directory passed through, also one a link
// half-way along a chain leads through, and every link followed. Checking
// only the directories above the path and above the final target would
// miss /etc/x/eventhook -> /home/u/x -> /usr/lib/hook, where u can repoint
// x. The agent runs the hook as root.
func (r *Runner) Check() (string, error) {
	refuse := func(why int, format string, args ...any) (string, error) {
		r.refused[why].Add(1)
		return "", fmt.Errorf("%w: "+format, append([]any{ErrUntrusted}, args...)...)
	}
	real, fi, err := fstrust.Walk(r.Path)
	if errors.Is(err, fstrust.ErrUntrusted) {
		// Walk stops at the first name another user could change, before
		// it knows whether there is a hook at all: where there is none
		// (the default path in an open directory) nothing is refused.
		if hfi, serr := os.Stat(r.Path); serr != nil || !executable(hfi) {
			return "", ErrNoHook
		}
		return refuse(refusedDirectory, "%s: %w", r.Path, err)
	}
	if err != nil || !executable(fi) {
		return "", ErrNoHook
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && !fstrust.Owner(st.Uid) {
		return refuse(refusedOwner, "%s is owned by uid %d, not root or uid %d", real, st.Uid, os.Geteuid())
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return refuse(refusedWritable, "%s (mode %v) is writable by group or others", real, fi.Mode().Perm())
	}
	return real, nil
}

// executable reports whether fi is a regular file someone may execute.
func executable(fi os.FileInfo) bool {
	return fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Start runs the hook for ifname and event with env added to the agent's
// environment (made safe by Env; the arguments are escaped too), and calls
// done with its outcome on another goroutine. When there is no hook it
// returns ErrNoHook, and when the hook is not to be trusted an error
// wrapping ErrUntrusted (Check), and done is not called; likewise, with
// ErrStopped, once Wait has returned. It forks and execs: callers that
// must not block (an actor's Receive) call it from a goroutine.
func (r *Runner) Start(ifname, event string, env []string, done func(error)) error {
	path, err := r.Check()
	if err != nil {
		return err
	}
	term, kill := r.Term, r.Kill
	if term == 0 {
		term = DefaultTerm
	}
	if kill == 0 {
		kill = DefaultKill
	}
	cmd := exec.Command(path, safetext.Escape(ifname, MaxValue), safetext.Escape(event, MaxValue))
	cmd.Env = append(os.Environ(), Env(env)...)
	cmd.Stdin = nil // /dev/null
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Counted before it is forked: a Wait from then on waits for it.
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return ErrStopped
	}
	r.running++
	r.mu.Unlock()
	if err := cmd.Start(); err != nil {
		r.ended()
		return fmt.Errorf("start hook %s: %w", path, err)
	}
	go func() {
		defer r.ended()
		done(wait(cmd, term, kill))
	}()
	return nil
}

// ended counts a hook out, its done called; the last one out lets a
// waiting Wait return, and no hook starts after it.
func (r *Runner) ended() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
	if r.running == 0 && r.idle != nil {
		r.stopped = true
		close(r.idle)
		r.idle = nil
	}
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

// Wait waits, until ctx is done, for every hook started before it returns:
// those running when it is called and those started meanwhile (the next
// hook of an interface's queue, a late event of the shutdown). When it
// returns the runner is stopped: a later Start runs nothing (ErrStopped),
// since nobody would wait for it. It is called once, as the agent stops.
func (r *Runner) Wait(ctx context.Context) error {
	r.mu.Lock()
	if r.running == 0 {
		r.stopped = true
		r.mu.Unlock()
		return nil
	}
	if r.idle == nil {
		r.idle = make(chan struct{})
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		r.stopped = true
		r.mu.Unlock()
		return ctx.Err()
	}
}
