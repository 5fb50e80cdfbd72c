//go:build integration

package integration

// Proofs of the defects of issue 10: each test failed before its fix.

import (
	"strings"
	"testing"
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
