package main

import (
	"maps"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// sent is the part of a request a verb decides. Args lists only the
// non-empty values: an empty one means the same as none to the agent.
type sent struct {
	command, ifname string
	waitMs          int64 // 0: no wait_ms
	args            map[string]string
}

func sentOf(r *ipc.Request) sent {
	s := sent{command: r.Command, ifname: r.Ifname}
	if r.WaitMs != nil {
		s.waitMs = *r.WaitMs
	}
	for k, v := range r.Args {
		if v != "" {
			if s.args == nil {
				s.args = map[string]string{}
			}
			s.args[k] = v
		}
	}
	return s
}

// TestVerbRequests runs every verb with its flags against a fake agent and
// checks the one request it sends: the command, interface, wait and
// arguments the agent acts on (SPEC §3, §4).
func TestVerbRequests(t *testing.T) {
	a := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, c := range []struct {
		argv []string
		want sent
	}{
		{[]string{"start", "eth0"}, sent{command: ipc.CmdStart, ifname: "eth0", waitMs: 120000}},
		{[]string{"start", "-w", "forever", "--primary", "eth0"}, sent{command: ipc.CmdStart, ifname: "eth0", waitMs: -1,
			args: a(ipc.ArgPrimary, "yes")}},
		{[]string{"start", "--primary", ""}, sent{command: ipc.CmdStart, waitMs: 120000, args: a(ipc.ArgPrimary, "yes")}},
		{[]string{"status"}, sent{command: ipc.CmdStatus}},
		{[]string{"status", "eth0"}, sent{command: ipc.CmdStatus, ifname: "eth0"}},
		{[]string{"extend", "eth0"}, sent{command: ipc.CmdExtend, ifname: "eth0"}},
		{[]string{"inform", "eth0"}, sent{command: ipc.CmdInform, ifname: "eth0"}},
		{[]string{"drop", "eth0"}, sent{command: ipc.CmdDrop, ifname: "eth0"}},
		{[]string{"release", "eth0"}, sent{command: ipc.CmdRelease, ifname: "eth0"}},
		{[]string{"ping"}, sent{command: ipc.CmdPing}},
		{[]string{"ping", "eth0"}, sent{command: ipc.CmdPing, ifname: "eth0"}},
		{[]string{"info", "router"}, sent{command: ipc.CmdInfo, args: a(ipc.ArgOption, "router")}},
		{[]string{"info", "-i", "eth0", "-c", "3"}, sent{command: ipc.CmdInfo, ifname: "eth0", args: a(ipc.ArgOption, "3")}},
		{[]string{"version"}, sent{command: ipc.CmdVersion, waitMs: 5000}},
		{[]string{"create-if", "eth1"}, sent{command: ipc.CmdCreateIf, ifname: "eth1"}},
		{[]string{"create-if", "-t", "-f", "v6", "eth1"}, sent{command: ipc.CmdCreateIf, ifname: "eth1",
			args: a(ipc.ArgTemporary, "yes", ipc.ArgFamilies, "v6")}},
		{[]string{"delete-if", "-f", "v4", "eth1"}, sent{command: ipc.CmdDeleteIf, ifname: "eth1", args: a(ipc.ArgFamilies, "v4")}},
		{[]string{"enable-if", "eth1"}, sent{command: ipc.CmdEnableIf, ifname: "eth1"}},
		{[]string{"disable-if", "eth1"}, sent{command: ipc.CmdDisableIf, ifname: "eth1"}},
		{[]string{"show-if"}, sent{command: ipc.CmdShowIf}},
		{[]string{"show-if", "eth1"}, sent{command: ipc.CmdShowIf, ifname: "eth1"}},
		{[]string{"create-addr", "-T", "static", "-a", "198.18.0.5/24", "eth1/v4"}, sent{command: ipc.CmdCreateAddr,
			args: a(ipc.ArgObject, "eth1/v4", ipc.ArgType, "static", ipc.ArgAddress, "198.18.0.5/24")}},
		{[]string{"create-addr", "-t", "-T", "dhcp", "-w", "9", "-h", "box", "--primary", "eth1/d"}, sent{command: ipc.CmdCreateAddr,
			waitMs: 9000, args: a(ipc.ArgObject, "eth1/d", ipc.ArgType, "dhcp", ipc.ArgHostname, "box",
				ipc.ArgTemporary, "yes", ipc.ArgPrimary, "yes")}},
		{[]string{"create-addr", "-T", "dhcp", "eth1/d"}, sent{command: ipc.CmdCreateAddr, waitMs: 120000,
			args: a(ipc.ArgObject, "eth1/d", ipc.ArgType, "dhcp")}},
		{[]string{"delete-addr", "eth1/d"}, sent{command: ipc.CmdDeleteAddr, args: a(ipc.ArgObject, "eth1/d")}},
		{[]string{"delete-addr", "-r", "eth1/d"}, sent{command: ipc.CmdDeleteAddr, args: a(ipc.ArgObject, "eth1/d", ipc.ArgRelease, "yes")}},
		{[]string{"refresh-addr", "eth1/d"}, sent{command: ipc.CmdRefreshAddr, args: a(ipc.ArgObject, "eth1/d")}},
		{[]string{"refresh-addr", "-i", "eth1/s"}, sent{command: ipc.CmdRefreshAddr, args: a(ipc.ArgObject, "eth1/s", ipc.ArgInform, "yes")}},
		{[]string{"show-addr"}, sent{command: ipc.CmdShowAddr}},
		{[]string{"show-addr", "eth1/"}, sent{command: ipc.CmdShowAddr, args: a(ipc.ArgObject, "eth1/")}},
	} {
		t.Run(strings.Join(c.argv, " "), func(t *testing.T) {
			sock, reqs := agent(t)
			run(append([]string{"--socket", sock}, c.argv...)...)
			select {
			case r := <-reqs:
				got := sentOf(r)
				if got.command != c.want.command || got.ifname != c.want.ifname || got.waitMs != c.want.waitMs ||
					!maps.Equal(got.args, c.want.args) {
					t.Errorf("sent %+v, want %+v", got, c.want)
				}
			default:
				t.Fatal("no request sent")
			}
			if len(reqs) > 0 {
				t.Errorf("more than one request: %+v", <-reqs)
			}
		})
	}
}

// TestVerbUsage: wrong arguments are usage errors (exit 1) and send
// nothing.
func TestVerbUsage(t *testing.T) {
	for _, argv := range [][]string{
		{"start"}, {"start", "eth0", "eth1", "--primary"}, {"start", "eth0", "-w", "-1"},
		{"status", "a", "b"}, {"extend"}, {"drop", "a", "b"}, {"ping", "a", "b"}, {"info"}, {"info", "a", "b"},
		{"watch", "eth0"}, {"version", "x"}, {"create-if"}, {"delete-if", "a", "b"}, {"enable-if"},
		{"disable-if"}, {"show-if", "a", "b"}, {"create-addr"}, {"create-addr", "-T", "dhcp", "-w", "soon", "e/d"},
		{"delete-addr"}, {"refresh-addr"}, {"show-addr", "a", "b"}, {"show-addr", "-p"},
		{"status", "-o", "yaml"}, {"drop", "--nosuch", "eth0"},
	} {
		sock, reqs := agent(t)
		code, _, errOut := run(append([]string{"--socket", sock}, argv...)...)
		if code != exitUsage || !strings.HasPrefix(errOut, "agentctl: usage") {
			t.Errorf("%q: exit %d, stderr %q; want %d and a usage message", argv, code, errOut, exitUsage)
		}
		if len(reqs) > 0 {
			t.Errorf("%q sent %+v", argv, <-reqs)
		}
	}
}

// TestVerbOutput checks what the verbs print for the fake agent's replies.
func TestVerbOutput(t *testing.T) {
	sock, _ := agent(t)
	for _, c := range []struct {
		argv []string
		want string // a substring of stdout
	}{
		{[]string{"drop", "eth0"}, "eth0       BOUND"},
		{[]string{"-o", "json", "extend", "eth0"}, `"state":"BOUND"`},
		{[]string{"ping", "eth0"}, "OK\n"},
		{[]string{"-o", "json", "ping", "eth0"}, `{"result":"OK"}`},
		{[]string{"-o", "json", "info", "-i", "eth0", "router"}, `{"raw":"c6120001","values":["198.18.0.1"]}`},
		{[]string{"status", "eth0"}, "(Began, Expires, Renew)"},
	} {
		code, out, errOut := run(append([]string{"--socket", sock}, c.argv...)...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", c.argv, code, out, errOut, c.want)
		}
	}
}
