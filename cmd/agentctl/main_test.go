package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"go.uber.org/zap"
)

// agent serves canned replies on a socket: a status for eth0, UNKIF for
// anything else, and records the requests.
func agent(t *testing.T) (string, <-chan *ipc.Request) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	reqs := make(chan *ipc.Request, 10)
	ctx, cancel := context.WithCancel(context.Background())
	srv := &ipc.Server{Log: zap.NewNop(), Handler: func(_ context.Context, _ ipc.Caller, req *ipc.Request) *ipc.Reply {
		reqs <- req
		if req.Ifname != "eth0" {
			return ipc.Fail(req, ipc.ErrUnkIf, "%s is not managed", req.Ifname)
		}
		r := ipc.OK(req)
		exp := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
		r.Status = &ipc.Status{Ifname: "eth0", State: "BOUND", Flags: []string{}, Address: "198.18.0.100",
			Prefix: 24, Server: "198.18.0.1", Began: &exp, Expires: &exp, Sent: 2, Received: 2,
			Refusals: []ipc.Refusal{{Time: exp, Reason: "bad_route", Detail: "ACK from 198.18.0.1: option 121: destination 127.0.0.0/8 is loopback"},
				{Time: exp, Reason: "nak", Detail: "NAK from 198.18.0.9: \x1b[2J"}}}
		r.Values, r.Raw = []string{"198.18.0.1"}, "c6120001"
		return r
	}}
	done := make(chan struct{})
	go func() { _ = srv.Run(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return path, reqs
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb}
	code = c.run(args)
	return code, out.String(), errb.String()
}

func TestExitCodesAndJSONErrors(t *testing.T) {
	sock, reqs := agent(t)
	code, out, errOut := run("--socket", sock, "-o", "json", "drop", "eth9")
	if code != ipc.ErrUnkIf.ExitStatus() || !strings.Contains(errOut, "UNKIF") {
		t.Fatalf("drop eth9: exit %d, stderr %q", code, errOut)
	}
	var e struct{ Error, Message string }
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Error != "UNKIF" || e.Message == "" {
		t.Fatalf("JSON error %q (%v)", out, err)
	}
	<-reqs

	code, _, errOut = run("--socket", filepath.Join(t.TempDir(), "none"), "status")
	if code != exitNotRunning || !strings.Contains(errOut, "agent is not running at") {
		t.Fatalf("no agent: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := run("--socket", sock, "start"); code != exitUsage {
		t.Fatalf("start without IF: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := run("--socket", sock, "start", "eth0", "--wait", "soon"); code != exitUsage {
		t.Fatalf("bad --wait: exit %d, want %d", code, exitUsage)
	}
}

func TestStartSendsWaitAndPrimary(t *testing.T) {
	sock, reqs := agent(t)
	code, out, _ := run("--socket", sock, "start", "eth0", "--wait", "forever", "--primary")
	if code != 0 || !strings.Contains(out, "BOUND") || !strings.Contains(out, "(Began, Expires, Renew)") {
		t.Fatalf("start: exit %d, output %q", code, out)
	}
	req := <-reqs
	if req.WaitMs == nil || *req.WaitMs != -1 || req.Args[ipc.ArgPrimary] != "yes" {
		t.Fatalf("request %+v, want wait -1 and primary", req)
	}
	run("--socket", sock, "start", "eth0", "-w", "7")
	if req := <-reqs; *req.WaitMs != 7000 {
		t.Fatalf("--wait 7 sent %d ms", *req.WaitMs)
	}
}

func TestStatusJSONAndInfo(t *testing.T) {
	sock, _ := agent(t)
	_, out, _ := run("--socket", sock, "-o", "json", "status", "eth0")
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ifname", "state", "address", "prefix", "server", "expires", "sent", "received", "t1"} {
		if _, ok := st[k]; !ok {
			t.Errorf("status -o json lacks %q: %s", k, out)
		}
	}
	if _, out, _ := run("--socket", sock, "info", "-i", "eth0", "router"); out != "198.18.0.1\n" {
		t.Errorf("info router = %q", out)
	}
	if _, out, _ := run("--socket", sock, "info", "-i", "eth0", "-c", "router"); out != "c6120001\n" {
		t.Errorf("info -c router = %q", out)
	}
}

func TestStartSeveral(t *testing.T) {
	sock, reqs := agent(t)
	code, out, errOut := run("--socket", sock, "-o", "json", "start", "eth0", "eth9", "--wait", "1")
	if code != ipc.ErrUnkIf.ExitStatus() || !strings.Contains(errOut, "start eth9") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	// The statuses of those that answered, then the error object.
	var st []ipc.Status
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&st); err != nil || len(st) != 1 || st[0].Ifname != "eth0" {
		t.Fatalf("statuses %q (%v)", out, err)
	}
	got := map[string]bool{(<-reqs).Ifname: true, (<-reqs).Ifname: true}
	if !got["eth0"] || !got["eth9"] {
		t.Fatalf("requests for %v", got)
	}
	if code, _, _ := run("--socket", sock, "start", "eth0", "eth1", "--primary"); code != exitUsage {
		t.Fatalf("--primary with two interfaces: exit %d", code)
	}
}

// TestStatusShowsRefusals: status IF lists the interface's latest
// refusals with reason and detail, escaped for the terminal; -o json has
// them as an array; other commands printing a status leave them out.
func TestStatusShowsRefusals(t *testing.T) {
	sock, _ := agent(t)
	_, out, _ := run("--socket", sock, "status", "eth0")
	for _, want := range []string{"Refused (oldest first):", "bad_route", "destination 127.0.0.0/8 is loopback", `NAK from 198.18.0.9: \x1b[2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("status eth0 lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("status eth0 printed an escape character:\n%q", out)
	}
	_, out, _ = run("--socket", sock, "-o", "json", "status", "eth0")
	var st ipc.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Refusals) != 2 || st.Refusals[0].Reason != "bad_route" {
		t.Fatalf("status -o json refusals %+v (%v): %s", st.Refusals, err, out)
	}
	if _, out, _ := run("--socket", sock, "start", "eth0"); strings.Contains(out, "Refused") {
		t.Errorf("start printed the refusals:\n%s", out)
	}
}
