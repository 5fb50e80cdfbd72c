//go:build integration

package integration

// Proofs of the defects of issue 10: each test failed before its fix.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sysctl reads net.ipv6.conf.IF.KEY in the client namespace.
func (l *Lab) sysctl(iface, key string) string {
	l.t.Helper()
	out, err := l.ClientExec("cat", "/proc/sys/net/ipv6/conf/"+iface+"/"+key)
	if err != nil {
		l.t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// setSysctl writes net.ipv6.conf.IF.KEY in the client namespace.
func (l *Lab) setSysctl(iface, key, value string) {
	l.t.Helper()
	if _, err := l.ClientExec("sysctl", "-qw", "net.ipv6.conf."+iface+"."+key+"="+value); err != nil {
		l.t.Fatal(err)
	}
}

// TestDefectIPAdmFamilies: interface objects are per address family, as on
// illumos. create-if -f v4 then -f v6 adds IPv6 (EXISTS only for a family
// already there); IPv6 comes up without SLAAC (accept_ra=0, autoconf=0:
// illumos plumbs without autoconfiguration); delete-if of a v4-only object
// leaves disable_ipv6 alone; delete-if lo leaves the loopback up with ::1.
func TestDefectIPAdmFamilies(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	lab.setSysctl(ClientIface, "disable_ipv6", "1")
	lab.setSysctl(ClientIface, "accept_ra", "1")
	lab.setSysctl(ClientIface, "autoconf", "1")

	admin(t, lab, "create-if", "-f", "v4", ClientIface)
	if got := lab.sysctl(ClientIface, "disable_ipv6"); got != "1" {
		t.Errorf("create-if -f v4: disable_ipv6 = %s, want 1 (untouched)", got)
	}
	admin(t, lab, "create-if", "-f", "v6", ClientIface)
	for key, want := range map[string]string{"disable_ipv6": "0", "accept_ra": "0", "autoconf": "0"} {
		if got := lab.sysctl(ClientIface, key); got != want {
			t.Errorf("create-if -f v6 after -f v4: %s = %s, want %s", key, got, want)
		}
	}
	checkFails(t, lab, lab.CtlRoot("-o", "json", "create-if", "-f", "v4", ClientIface), "EXISTS")
	if rows := lab.ShowIf(); len(rows) != 1 || rows[0].Persistent != "46" {
		t.Errorf("show-if = %+v, want %s persistent 46", rows, ClientIface)
	}

	admin(t, lab, "delete-if", ClientIface)
	admin(t, lab, "create-if", "-f", "v4", ClientIface)
	lab.setSysctl(ClientIface, "disable_ipv6", "0")
	admin(t, lab, "delete-if", ClientIface)
	if got := lab.sysctl(ClientIface, "disable_ipv6"); got != "0" {
		t.Errorf("delete-if of a v4-only object: disable_ipv6 = %s, want 0 (untouched)", got)
	}

	admin(t, lab, "create-if", "lo")
	admin(t, lab, "delete-if", "-f", "v6", "lo")
	admin(t, lab, "delete-if", "lo")
	out, err := lab.ClientExec("ip", "-o", "link", "show", "dev", "lo")
	if err != nil || !strings.Contains(out, ",UP") {
		t.Errorf("loopback after delete-if lo: %q (%v), want UP", out, err)
	}
	if out, err = lab.ClientExec("ip", "-o", "addr", "show", "dev", "lo"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "127.0.0.1/8") || !strings.Contains(out, "::1/128") {
		t.Errorf("loopback after delete-if lo: %q, want 127.0.0.1/8 and ::1/128", out)
	}
	if got := lab.sysctl("lo", "disable_ipv6"); got != "0" {
		t.Errorf("delete-if lo: disable_ipv6 = %s, want 0", got)
	}
}

// TestDefectCommandAnswers: `info` of an option the server did not send
// is OK with no output (illumos GET_TAG; dhcpinfo prints nothing and exits
// 0); `info field:OFF:LEN` with huge values is INVALID and the interface
// still answers; `start nosuch --primary` is refused before the primary
// moves, so the real primary keeps its flag and `ping` without IF is OK.
func TestDefectCommandAnswers(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		var st fullStatus
		if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "10", "--primary"); err != nil || st.State != "BOUND" {
			t.Fatalf("start --primary: %+v, %v", st, err)
		}
		// Option 42 (NTP servers): neither lab server sends it.
		if r := lab.CtlRoot("info", "-i", ClientIface, "ntp"); r.Code != 0 || r.Stdout != "" {
			t.Errorf("%v; want exit 0 and no output", r)
		}
		for _, f := range []string{"field:9223372036854775807:1", "field:1:9223372036854775807", "field:4294967296:4294967296"} {
			checkFails(t, lab, lab.CtlRoot("-o", "json", "info", "-i", ClientIface, f), "INVALID")
		}
		if r := lab.CtlRoot("info", "-i", ClientIface, "router"); r.Code != 0 || r.Stdout != router+"\n" {
			t.Errorf("%v after the bad fields; want %s", r, router)
		}

		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", "nosuch", "--primary"), "INVALID")
		if r := lab.CtlRoot("ping"); r.Code != 0 || r.Stdout != "OK\n" {
			t.Errorf("%v after start nosuch --primary; want OK for the primary", r)
		}
		if r := lab.CtlRoot("info", "lease-time"); r.Code != 0 || r.Stdout != "600\n" {
			t.Errorf("%v after start nosuch --primary; want the primary's 600", r)
		}
		if err := lab.CtlJSON(&st, "status", ClientIface); err != nil || !slices.Contains(st.Flags, "PRIMARY") {
			t.Errorf("status after start nosuch --primary: %+v, %v; want PRIMARY", st, err)
		}
	})
}

// drainHook holds the DROP hook until the file GO appears next to it (60 s
// at most), so that the agent's SIGTERM drain lasts as long as the test
// needs; "begin" in hook.log says the drain has reached it.
const drainHook = `#!/bin/sh
dir=$(dirname "$0")
echo "begin $2" >>"$dir/hook.log"
[ "$2" = DROP ] || exit 0
i=0
while [ ! -e "$dir/GO" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
`

// TestDefectDrainAnswersShutdown: commands that arrive while the agent
// drains after SIGTERM are answered SHUTDOWN at once and configure
// nothing (SPEC §3): the interface the drain dropped is not started again,
// no address object is created, and nothing is on the link when the agent
// has exited.
func TestDefectDrainAnswersShutdown(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		dir := t.TempDir()
		hook := filepath.Join(dir, "eventhook")
		if err := os.WriteFile(hook, []byte(drainHook), 0o755); err != nil {
			t.Fatal(err)
		}
		lab := newLab(t, LabOptions{Server: kind, AgentArgs: []string{"--hook", hook}})
		startBound(t, lab, "10")
		if err := lab.agent.signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 10*time.Second, "the DROP hook of the drain", func() error {
			if !strings.Contains(readFile(filepath.Join(dir, "hook.log")), "begin DROP") {
				return errors.New("not yet")
			}
			return nil
		})
		for _, args := range [][]string{
			{"start", ClientIface, "--wait", "10"},
			{"create-addr", "-T", "dhcp", "-w", "10", ClientIface + "/d"},
			{"create-addr", "-T", "static", "-a", staticPrefix.String(), ClientIface + "/s"},
		} {
			began := time.Now()
			r := lab.CtlRoot(append([]string{"-o", "json"}, args...)...)
			checkFails(t, lab, r, "SHUTDOWN")
			if d := time.Since(began); d > 3*time.Second {
				t.Errorf("%v answered after %v; want at once", args, d)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "GO"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-lab.agent.done:
		case <-time.After(stopGrace):
			t.Fatalf("agent did not exit within %v of the hook's end", stopGrace)
		}
		if err := lab.agent.err; err != nil {
			t.Fatalf("agent exit: %v", err)
		}
		if got := lab.ClientAddrs(); len(got) != 0 {
			t.Errorf("addresses after the drain: %v, want none", got)
		}
		if s := lab.IPAdmFile(); strings.Contains(s, ClientIface+"/") {
			t.Errorf("ipadm.json after the drain: %s; want no address object", s)
		}
	})
}

// TestDefectBootDisableWins: right after the agent restarts, disable-if
// answers OK and the DHCP address never comes back: one owner brings the
// interface up at boot (not its interface record and its ipadm DHCP object
// both), and disable-if wins over whatever the boot has in flight. Both
// ends of the previous run: SIGTERM (address dropped) and kill -9 (address
// left on the link for the next agent to adopt).
func TestDefectBootDisableWins(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		admin(t, lab, "create-if", ClientIface)
		createDHCP(t, lab, dhcpObj)
		for round, kill := range []bool{false, true, false, true} {
			if kill {
				lab.KillAgent()
			} else if err := lab.StopAgent(); err != nil {
				t.Fatalf("agent exit: %v", err)
			}
			lab.StartAgent()
			admin(t, lab, "disable-if", ClientIface)
			holdFor(t, 3*time.Second, "no address after disable-if", func() error {
				if got := lab.ClientAddrs(); len(got) != 0 {
					return fmt.Errorf("round %d: addresses after disable-if: %v", round, got)
				}
				return nil
			})
			checkUnmanaged(t, lab)
			admin(t, lab, "enable-if", ClientIface)
			waitUntil(t, 15*time.Second, "the DHCP object bound again", func() error {
				for _, a := range lab.ShowAddr() {
					if a.Addrobj == dhcpObj && a.State == "ok" {
						return nil
					}
				}
				return fmt.Errorf("show-addr %+v", lab.ShowAddr())
			})
		}
	})
}
