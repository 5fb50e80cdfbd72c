package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// An interface paused by RFC 8925 shows V6ONLY and the instant DHCPv4
// resumes; a leased one has no such line.
func TestStatusShowsV6Only(t *testing.T) {
	until := time.Date(2026, 1, 1, 1, 5, 0, 0, time.UTC)
	var out bytes.Buffer
	c := &cli{stdout: &out}
	if err := c.table([]ipc.Status{{Ifname: "eth0", State: "V6ONLY", Flags: []string{}, V6OnlyUntil: &until}}); err != nil {
		t.Fatal(err)
	}
	want := "(IPv6-only, DHCPv4 resumes) = (" + until.Local().Format("01/02/2006 15:04:05") + ")"
	if s := out.String(); !strings.Contains(s, "V6ONLY") || !strings.Contains(s, want) {
		t.Fatalf("status output %q lacks V6ONLY or %q", s, want)
	}
	out.Reset()
	if err := c.table([]ipc.Status{{Ifname: "eth0", State: "SELECTING", Flags: []string{}}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "IPv6-only") {
		t.Fatalf("status output %q names IPv6-only outside V6ONLY", out.String())
	}
}
