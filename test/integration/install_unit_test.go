//go:build integration

package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// verifyUnit runs `systemd-analyze verify` on the installed unit (with its
// drop-ins) and fails on any output. The unit names /usr/sbin/dhcpagent: a
// private mount namespace puts the staged sbin there, without touching the
// host's; MANPATH finds the staged man pages of Documentation=.
func verifyUnit(t *testing.T, dir, unit string) {
	t.Helper()
	script := `mount --bind "$1/usr/sbin" /usr/sbin && exec systemd-analyze verify "$2"`
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", dir, unit)
	cmd.Env = append(os.Environ(), "MANPATH="+filepath.Join(dir, "usr/share/man"))
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unit, err, out)
	}
}

// checkHostnameDropIn takes the SET_HOSTNAME drop-in exactly as the
// installed dhcpagent(8) prints it (SPEC §7: CAP_SYS_ADMIN only for
// SET_HOSTNAME), puts it next to the unit, and checks that systemd accepts
// it without a warning and that it grants CAP_SYS_ADMIN; then takes it
// away again.
func checkHostnameDropIn(t *testing.T, dir, unit string) {
	t.Helper()
	page := readFile(filepath.Join(dir, "usr/share/man/man8/dhcpagent.8"))
	_, after, ok := strings.Cut(page, "hostname.conf")
	m := regexp.MustCompile(`(?s)\n\.nf\n(.*?)\n\.fi\n`).FindStringSubmatch(after)
	if !ok || m == nil || !strings.Contains(m[1], "CAP_SYS_ADMIN") {
		t.Errorf("dhcpagent(8) shows no SET_HOSTNAME drop-in granting CAP_SYS_ADMIN")
		return
	}
	dropIns := unit + ".d"
	if err := os.MkdirAll(dropIns, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dropIns)
	if err := os.WriteFile(filepath.Join(dropIns, "hostname.conf"), []byte(m[1]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	verifyUnit(t, dir, unit)
	out, _ := exec.Command("systemd-analyze", "security", "--offline=true", unit).CombinedOutput()
	if !regexp.MustCompile(`✗ CapabilityBoundingSet=~CAP_SYS_ADMIN`).Match(out) {
		t.Errorf("the SET_HOSTNAME drop-in does not grant CAP_SYS_ADMIN:\n%s", out)
	}
}

// checkAgentFlagsInMan holds dhcpagent(8) to the installed daemon's own
// flags: every flag `dhcpagent -h` lists (but the tests' own) is in the
// page's OPTIONS.
func checkAgentFlagsInMan(t *testing.T, dir string) {
	t.Helper()
	page := readFile(filepath.Join(dir, "usr/share/man/man8/dhcpagent.8"))
	// The flag package prints its usage on stderr and exits 0 for -h.
	out, _ := exec.Command(filepath.Join(dir, "usr/sbin/dhcpagent"), "-h").CombinedOutput()
	flags := regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`).FindAllStringSubmatch(string(out), -1)
	if len(flags) < 5 {
		t.Fatalf("dhcpagent -h lists %d flags:\n%s", len(flags), out)
	}
	for _, f := range flags {
		name := f[1]
		if name == "test-hooks" {
			continue // enables test-only commands; not for operators
		}
		roff := strings.ReplaceAll(name, "-", `\-`)
		if !strings.Contains(page, `.B \-`+roff) && !strings.Contains(page, `.BI \-`+roff) &&
			!strings.Contains(page, `.B \-\-`+roff) && !strings.Contains(page, `.BI \-\-`+roff) {
			t.Errorf("dhcpagent(8) does not document -%s of `dhcpagent -h`", name)
		}
	}
}
