//go:build integration

package integration

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
)

// proc is a process the lab started with `ip netns exec`, which execs in
// place: the pid is the program's own.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // valid once done is closed
}

// start runs argv in namespace ns with stdout and stderr appended to logFile.
func (l *Lab) start(name, ns, logFile string, env, argv []string) *proc {
	l.t.Helper()
	return l.startFiles(name, ns, logFile, logFile, env, argv)
}

// startFiles runs argv in namespace ns with stdout appended to outFile and
// stderr to errFile (which may be the same file).
func (l *Lab) startFiles(name, ns, outFile, errFile string, env, argv []string) *proc {
	l.t.Helper()
	open := func(name string) *os.File {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			l.t.Fatalf("start %s: %v", name, err)
		}
		return f
	}
	out := open(outFile)
	defer out.Close()
	errOut := out
	if errFile != outFile {
		errOut = open(errFile)
		defer errOut.Close()
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...)
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.Env = append(os.Environ(), env...)
	// Should the test binary itself be killed (go test -timeout), its
	// servers and agents die with it rather than answer DHCP forever.
	// The kernel sends it when the forking *thread* ends, not the process:
	// a test must never end a thread (a goroutine that returns while
	// locked with runtime.LockOSThread) that may have started processes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, then SIGKILL after stopGrace, and returns the exit error.
func (p *proc) stop() error {
	if p.exited() {
		return p.err
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.err
	case <-timer.C:
		p.kill()
		return fmt.Errorf("did not exit %v after SIGTERM; killed: %w", stopGrace, p.err)
	}
}

func (p *proc) kill() {
	if !p.exited() {
		p.cmd.Process.Kill()
	}
	<-p.done
}

// signal sends sig to the process unless it has exited.
func (p *proc) signal(sig syscall.Signal) error {
	if p.exited() {
		return fmt.Errorf("signal %v: process exited: %v", sig, p.err)
	}
	return p.cmd.Process.Signal(sig)
}

func isSignaled(err error) bool {
	ee, ok := errors.AsType[*exec.ExitError](err)
	if !ok {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// waitUntil polls f every 50 ms until it returns nil, failing the test with
// f's last error once timeout has passed.
func waitUntil(t testing.TB, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %v for %s: %v", timeout, what, err)
		}
		<-tick.C
	}
}

// holdFor polls f every 50 ms for d and fails the test as soon as f returns
// an error: the negative counterpart of waitUntil ("nothing of the kind
// happens for d").
func holdFor(t testing.TB, d time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if time.Now().After(deadline) {
			return
		}
		<-tick.C
	}
}

// equateNetip lets cmp compare netip values, whose fields are unexported.
var equateNetip = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}, netip.AddrPort{})

func readFile(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}
