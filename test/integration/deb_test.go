//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDebPackage builds the package (make deb) and installs it into a
// scratch root with dpkg --root, maintainer scripts run chrootless with
// DPKG_ROOT as dpkg sets it: the files of make install are there, the
// unit is enabled, the configuration is a conffile kept by a remove, and a
// purge leaves nothing but dpkg's own database.
func TestDebPackage(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("dpkg --root needs root")
	}
	for _, tool := range []string{"dpkg", "dpkg-deb", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	root := repoRoot(t)
	out := t.TempDir()
	// Built, staged and packaged in a directory of this test's own, so
	// that other tests' make runs do not meet its files and bin/agent is
	// never rebuilt under the tests running it.
	cmd := exec.Command("make", "-s", "deb", "BIN="+filepath.Join(out, "bin"), "DEBDIR="+out,
		"PKGSTAGE="+filepath.Join(out, "stage"))
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make deb: %v\n%s", err, b)
	}
	debs, _ := filepath.Glob(filepath.Join(out, "dhcpagent_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb made %q", debs)
	}
	deb := debs[0]

	listing, err := exec.Command("dpkg-deb", "-c", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v", err)
	}
	var files []string
	for line := range strings.SplitSeq(string(listing), "\n") {
		if f := strings.Fields(line); len(f) >= 6 && !strings.HasSuffix(f[5], "/") {
			files = append(files, strings.TrimPrefix(f[5], "."))
		}
	}
	checkLayout(t, "the package", files)
	control, err := exec.Command("dpkg-deb", "-f", deb, "Package", "Version", "Architecture").Output()
	if err != nil || !strings.Contains(string(control), "Package: dhcpagent") {
		t.Errorf("control: %v\n%s", err, control)
	}
	conffiles, err := exec.Command("dpkg-deb", "--ctrl-tarfile", deb).Output()
	if err != nil || !strings.Contains(string(conffiles), "conffiles") {
		t.Errorf("no conffiles in the control archive: %v", err)
	}

	// A scratch root: only dpkg's database, no libc6 (hence --force-depends).
	scratch := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log"} {
		if err := os.MkdirAll(filepath.Join(scratch, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(scratch, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dpkg := func(args ...string) string {
		t.Helper()
		argv := append([]string{"--root=" + scratch, "--force-script-chrootless", "--force-depends"}, args...)
		b, err := exec.Command("dpkg", argv...).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	exists := func(p string) bool {
		_, err := os.Lstat(filepath.Join(scratch, p))
		return err == nil
	}
	wants := "/etc/systemd/system/multi-user.target.wants/dhcpagent.service"

	dpkg("-i", deb)
	for _, f := range installedLayout {
		if !exists(f) {
			t.Errorf("installed root lacks %s", f)
		}
	}
	if target, err := os.Readlink(filepath.Join(scratch, wants)); err != nil || target != "/usr/lib/systemd/system/dhcpagent.service" {
		t.Errorf("unit not enabled by postinst: %q %v", target, err)
	}
	if st := dpkg("-s", "dhcpagent"); !strings.Contains(st, "Status: install ok installed") {
		t.Errorf("dpkg -s after install:\n%s", st)
	}

	dpkg("-r", "dhcpagent")
	if exists("/usr/sbin/dhcpagent") || exists(wants) {
		t.Error("remove left the daemon or the unit enabled")
	}
	if !exists("/etc/dhcpagent/dhcpagent.conf") {
		t.Error("remove took the configuration (a conffile stays until purge)")
	}

	dpkg("--purge", "dhcpagent")
	var left []string
	filepath.WalkDir(scratch, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(scratch, p)
		if err == nil && rel != "." && !strings.HasPrefix(rel, "var") {
			left = append(left, rel)
		}
		return nil
	})
	if !slices.Equal(left, nil) {
		t.Errorf("purge left %q", left)
	}
}
