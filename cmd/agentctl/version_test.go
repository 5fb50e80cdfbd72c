package main

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/version"
	"go.uber.org/zap"
)

// versionAgent serves the version command with the given version.
func versionAgent(t *testing.T, v string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &ipc.Server{Log: zap.NewNop(), Handler: func(_ context.Context, _ ipc.Caller, req *ipc.Request) *ipc.Reply {
		if req.Command != ipc.CmdVersion {
			return ipc.Fail(req, ipc.ErrInvalid, "unexpected %s", req.Command)
		}
		r := ipc.OK(req)
		r.Message = v
		return r
	}}
	done := make(chan struct{})
	go func() { _ = srv.Run(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return path
}

func TestVersion(t *testing.T) {
	sock := versionAgent(t, "v9.9.9")
	code, out, errOut := run("--socket", sock, "version")
	want := "agentctl " + version.String() + "\nagent    v9.9.9\n"
	if code != 0 || out != want {
		t.Errorf("version: exit %d, stdout %q (want %q), stderr %q", code, out, want, errOut)
	}

	code, out, _ = run("--socket", sock, "-o", "json", "version")
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 ||
		v["agent"] != "v9.9.9" || v["agentctl"] != version.String() {
		t.Errorf("version -o json: exit %d, %q (%v)", code, out, err)
	}
}

func TestVersionAgentNotRunning(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	code, out, errOut := run("--socket", sock, "version")
	if code != exitNotRunning || out != "agentctl "+version.String()+"\n" || !strings.Contains(errOut, "NOTRUNNING") {
		t.Errorf("version without agent: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
