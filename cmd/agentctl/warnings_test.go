package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// The state dir's problems are shown under their interface, each with its
// time, with no control character reaching the terminal.
func TestStatusShowsWarnings(t *testing.T) {
	at := time.Date(2026, 1, 1, 1, 5, 0, 0, time.UTC)
	var out bytes.Buffer
	c := &cli{stdout: &out}
	st := ipc.Status{Ifname: "eth0", State: "BOUND", Flags: []string{}, Warnings: []ipc.Warning{
		{Time: at, Message: "state dir leases/eth0.json: not a regular file (set aside as leases/eth0.json.corrupt-1)"},
		{Time: at, Message: "state dir .x\x1b[2J.tmp-1: could not be removed"},
	}}
	if err := c.table([]ipc.Status{st}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	want := "Warning (" + at.Local().Format("01/02/2006 15:04:05") + "): state dir leases/eth0.json: not a regular file"
	if !strings.Contains(s, want) || !strings.Contains(s, `state dir .x\x1b[2J.tmp-1`) || strings.Contains(s, "\x1b") {
		t.Fatalf("status output %q: want %q and no escape", s, want)
	}
	out.Reset()
	if err := c.table([]ipc.Status{{Ifname: "eth0", State: "BOUND", Flags: []string{}}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Warning") {
		t.Fatalf("status output %q warns with nothing wrong", out.String())
	}
}
