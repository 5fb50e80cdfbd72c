package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/config"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/sys/unix"
)

// TestReloadFIFOThenGood: a SIGHUP with the configuration file replaced
// by a FIFO is refused at once and logged, the configuration in force
// kept; a later SIGHUP with a good file applies it. The FIFO's read used
// to block the reload goroutine for ever, every later SIGHUP ignored.
func TestReloadFIFOThenGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dhcpagent.conf")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	core := &logCore{LevelEnabler: zapcore.DebugLevel, logged: make(chan logged, 16)}
	log := zap.New(core)
	env := &actors.Env{}
	old, err := config.Parse("old", strings.NewReader("ROUTE_METRIC=1\n"))
	if err != nil {
		t.Fatal(err)
	}
	env.Config.Store(old)
	changed := make(chan struct{}, 4)
	hup := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go reloadOnHUP(ctx, hup, Options{ConfigPath: path, Log: log}, env, func() { changed <- struct{}{} })

	wait := func(what string) logged {
		t.Helper()
		select {
		case e := <-core.logged:
			return e
		case <-time.After(5 * time.Second):
			t.Fatalf("nothing logged 5 s after a SIGHUP (%s): the reload is blocked", what)
			return logged{}
		}
	}
	hup <- unix.SIGHUP
	e := wait("FIFO")
	if e.Level != zapcore.ErrorLevel || !strings.Contains(e.Message, "not reloaded") || !strings.HasPrefix(e.err, path+": a FIFO") {
		t.Fatalf("after a SIGHUP with a FIFO: logged %v %q (%s), want the error that it was not reloaded naming %s as a FIFO", e.Level, e.Message, e.err, path)
	}
	if env.Cfg() != old || len(changed) != 0 {
		t.Fatal("the configuration in force was replaced by a FIFO's")
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("ROUTE_METRIC=9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hup <- unix.SIGHUP
	if e := wait("good file"); !strings.Contains(e.Message, "configuration reloaded") {
		t.Fatalf("after a SIGHUP with a good file: logged %q, want it reloaded", e.Message)
	}
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("the reload was not announced")
	}
	if got := env.Cfg().Uint("eth0", "ROUTE_METRIC"); got != 9 {
		t.Fatalf("ROUTE_METRIC = %d after the reload, want 9", got)
	}
}

// logged is an entry with its error field.
type logged struct {
	zapcore.Entry
	err string
}

// logCore sends each entry it is given, with its error field.
type logCore struct {
	zapcore.LevelEnabler
	logged chan logged
}

func (c *logCore) With([]zapcore.Field) zapcore.Core { return c }
func (c *logCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}
func (c *logCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	l := logged{Entry: e}
	for _, f := range fs {
		if err, ok := f.Interface.(error); ok && f.Key == "error" {
			l.err = err.Error()
		}
	}
	c.logged <- l
	return nil
}
func (c *logCore) Sync() error { return nil }

// TestReloadUntrusted: a SIGHUP with the configuration made writable by
// group or others keeps the configuration in force and logs why; with
// InsecureConfig (agent --insecure-config) the same file is reloaded.
func TestReloadUntrusted(t *testing.T) {
	for _, insecure := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "dhcpagent.conf")
		if err := os.WriteFile(path, []byte("ROUTE_METRIC=9\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o666); err != nil {
			t.Fatal(err)
		}
		core := &logCore{LevelEnabler: zapcore.DebugLevel, logged: make(chan logged, 16)}
		env := &actors.Env{}
		old, err := config.Parse("old", strings.NewReader("ROUTE_METRIC=1\n"))
		if err != nil {
			t.Fatal(err)
		}
		env.Config.Store(old)
		hup := make(chan os.Signal, 1)
		ctx, cancel := context.WithCancel(context.Background())
		go reloadOnHUP(ctx, hup, Options{ConfigPath: path, Log: zap.New(core), InsecureConfig: insecure}, env, func() {})
		hup <- unix.SIGHUP
		var e logged
		select {
		case e = <-core.logged:
		case <-time.After(5 * time.Second):
			t.Fatal("nothing logged 5 s after a SIGHUP")
		}
		cancel()
		switch got := env.Cfg().Uint("eth0", "ROUTE_METRIC"); {
		case !insecure && (e.Level != zapcore.ErrorLevel || !strings.Contains(e.Message, "not reloaded") ||
			!strings.HasPrefix(e.err, path+": another user could have written it: writable by group or others")):
			t.Errorf("logged %v %q (%s), want the error that it was not reloaded, naming %s and why", e.Level, e.Message, e.err, path)
		case !insecure && got != 1:
			t.Errorf("ROUTE_METRIC = %d, want the configuration in force (1) kept", got)
		case insecure && (!strings.Contains(e.Message, "configuration reloaded") || got != 9):
			t.Errorf("with InsecureConfig: logged %q (%s), ROUTE_METRIC %d; want it reloaded (9)", e.Message, e.err, got)
		}
	}
}
