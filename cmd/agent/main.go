// Command agent is the DHCP client daemon: it manages the interfaces it is
// asked to through its control socket (see agentctl) and runs in the
// foreground, logging JSON lines to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/dhcpagent/dhcpagent/agent"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/fstrust"
	"github.com/dhcpagent/dhcpagent/version"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func main() {
	var (
		socket   = flag.String("socket", "/run/dhcpagent/agent.sock", "control socket `path`")
		stateDir = flag.String("state-dir", "/var/lib/dhcpagent", "persistent state `directory`")
		confPath = flag.String("config", "/etc/dhcpagent/dhcpagent.conf", "configuration `file` (re-read on SIGHUP)")
		hookPath = flag.String("hook", "/etc/dhcpagent/eventhook", "event hook `program`, run only if executable")
		insecure = flag.Bool("insecure-config", false, "read the configuration even when another user could have written it (by default it must be root's, writable only by its owner, in directories only root can write, as sshd's StrictModes)")
		testHook = flag.Bool("test-hooks", false, "enable commands that exist only for tests (debug-panic)")
		metrics  = flag.String("metrics", "", "serve /metrics and /debug/pprof on this `address` (off when empty)")
		debug    = flag.Int("d", 0, "debug `level`: 1 or more logs every packet")
		verbose  = flag.Bool("v", false, "verbose: same as -d 1")
		_        = flag.Bool("f", true, "run in the foreground (always; accepted for illumos compatibility)")
		showVer  = flag.Bool("version", false, "print the version and exit")
		_        = flag.Int("l", 0, "transaction logging `level` (accepted for illumos compatibility; -d sets what is logged)")
	)
	flag.Parse()
	if *showVer {
		fmt.Printf("dhcpagent %s\n", version.String())
		return
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "agent: unexpected argument %q\n", flag.Arg(0))
		os.Exit(1)
	}

	level := zapcore.InfoLevel
	if *debug > 0 || *verbose {
		level = zapcore.DebugLevel
	}
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(level)
	zc.Sampling = nil // every state change and error must reach the log
	zc.EncoderConfig.TimeKey = "ts"
	zc.EncoderConfig.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	log, err := zc.Build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "agent: logger: %v\n", err)
		os.Exit(1)
	}
	defer log.Sync()

	load := config.Load
	if *insecure {
		load = config.LoadUntrusted
	}
	cfg, err := load(*confPath)
	if errors.Is(err, fstrust.ErrUntrusted) {
		err = fmt.Errorf("%w (make it and its directories root's and writable only by root, or start with --insecure-config)", err)
	}
	if err != nil {
		log.Error("bad configuration", zap.Error(err))
		fmt.Fprintf(os.Stderr, "agent: %v\n", err)
		os.Exit(1)
	}

	// SIGQUIT stops the agent as SIGTERM does (illumos): every interface
	// is dropped, not abandoned with a goroutine dump.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
	defer stop()
	err = agent.Run(ctx, agent.Options{Socket: *socket, StateDir: *stateDir, ConfigPath: *confPath, Config: cfg,
		InsecureConfig: *insecure, Hook: *hookPath, Log: log, TestHooks: *testHook, Metrics: *metrics})
	if err != nil {
		log.Error("agent failed", zap.Error(err))
		if errors.Is(err, agent.ErrRunning) {
			fmt.Fprintf(os.Stderr, "agent: %v\n", err)
		}
		os.Exit(1)
	}
}
