//go:build integration

package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the directory holding go.mod above the working directory,
// where make runs.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// makeInstall runs `make install DESTDIR=dir` in the repository and returns
// the files installed, relative to dir.
func makeInstall(t *testing.T, dir string) []string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	// The binaries and man pages are built into a directory of the test's
	// own (BIN), so that parallel make runs (TestDebPackage) do not share
	// one, and bin/agent is never rebuilt under the tests running it.
	cmd := exec.Command("make", "-s", "install", "DESTDIR="+dir, "BIN="+t.TempDir())
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, "/"+rel)
		}
		return nil
	})
	return files
}

// installedLayout is what make install and the package must hold, at least.
var installedLayout = []string{
	"/etc/dhcpagent/dhcpagent.conf",
	"/usr/bin/agentctl",
	"/usr/lib/systemd/system/dhcpagent.service",
	"/usr/sbin/dhcpagent",
	"/usr/share/doc/dhcpagent/examples/dhcpagent.conf",
	"/usr/share/doc/dhcpagent/examples/eventhook",
	"/usr/share/man/man5/dhcpagent.conf.5",
	"/usr/share/man/man8/agentctl-start.8",
	"/usr/share/man/man8/agentctl-version.8",
	"/usr/share/man/man8/agentctl.8",
	"/usr/share/man/man8/dhcpagent.8",
}

func checkLayout(t *testing.T, what string, files []string) {
	t.Helper()
	for _, f := range installedLayout {
		if !slices.Contains(files, f) {
			t.Errorf("%s lacks %s; it has %q", what, f, files)
		}
	}
}

// TestInstall checks `make install DESTDIR=`: the layout, the unit accepted
// by `systemd-analyze verify` without a word (the installed binary seen at
// its real path through a private mount namespace, its man pages found),
// alone and with dhcpagent(8)'s SET_HOSTNAME drop-in, the unit's exposure
// score as the docs quote it, every man page rendered by man without a
// warning, every flag of the daemon in dhcpagent(8), and `make uninstall`
// leaving only the configuration.
func TestInstall(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	dir := t.TempDir()
	files := makeInstall(t, dir)
	checkLayout(t, "make install", files)

	unit := filepath.Join(dir, "usr/lib/systemd/system/dhcpagent.service")
	if b, err := os.ReadFile(unit); err != nil || !strings.Contains(string(b), "ExecStart=/usr/sbin/dhcpagent ") {
		t.Errorf("unit ExecStart not at the installed path: %v\n%s", err, b)
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Error("systemd-analyze missing: scripts/deps.sh installs systemd")
	} else {
		verifyUnit(t, dir, unit)
		out, err := exec.Command("systemd-analyze", "security", "--offline=true", unit).CombinedOutput()
		m := regexp.MustCompile(`Overall exposure level for dhcpagent.service: ([0-9.]+) ([A-Z]+)`).FindSubmatch(out)
		if m == nil {
			t.Errorf("systemd-analyze security: %v\n%s", err, out)
		} else if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 3.0 {
			t.Errorf("exposure score %.1f, want at most 3.0\n%s", score, out)
		} else {
			t.Logf("systemd-analyze security: exposure %s %s", m[1], m[2])
			checkDocumentedScore(t, string(m[1]), string(m[2]))
		}
		checkHostnameDropIn(t, dir, unit)
	}

	checkManPages(t, dir, files)
	checkAgentFlagsInMan(t, dir)

	cmd := exec.Command("make", "-s", "uninstall", "DESTDIR="+dir)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make uninstall: %v\n%s", err, out)
	}
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if want := []string{filepath.Join(dir, "etc/dhcpagent/dhcpagent.conf")}; !slices.Equal(left, want) {
		t.Errorf("after make uninstall: %q, want only the configuration %q", left, want)
	}
}

// documentedScore is where the docs quote the unit's exposure score: the
// file and the pattern whose groups are the score (and its rating word).
var documentedScore = []struct{ file, pattern string }{
	{"docs/config.md", `systemd-analyze security --offline=true dhcpagent.service` + "`" + ` \(systemd [0-9]+\):\s+\*\*([0-9.]+) ([A-Z]+)\*\*`},
	{"README.md", "`systemd-analyze security`: ([0-9.]+)\\)"},
}

// checkDocumentedScore fails unless every place the docs quote the
// exposure score says what systemd-analyze security prints now.
func checkDocumentedScore(t *testing.T, score, rating string) {
	t.Helper()
	for _, d := range documentedScore {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), d.file))
		if err != nil {
			t.Error(err)
			continue
		}
		m := regexp.MustCompile(d.pattern).FindStringSubmatch(string(b))
		switch {
		case m == nil:
			t.Errorf("%s does not quote the exposure score (pattern %s)", d.file, d.pattern)
		case m[1] != score:
			t.Errorf("%s says exposure %s; systemd-analyze security prints %s", d.file, m[1], score)
		case len(m) > 2 && m[2] != rating:
			t.Errorf("%s rates the exposure %s; systemd-analyze security says %s", d.file, m[2], rating)
		}
	}
}

// checkManPages renders every installed man page with `man -l` and warnings
// on: a page must render, and say nothing on stderr.
func checkManPages(t *testing.T, dir string, files []string) {
	t.Helper()
	if _, err := exec.LookPath("man"); err != nil {
		t.Error("man missing: scripts/deps.sh installs man-db")
		return
	}
	n := 0
	for _, f := range files {
		if !strings.HasPrefix(f, "/usr/share/man/") {
			continue
		}
		n++
		cmd := exec.Command("man", "--warnings", "-l", filepath.Join(dir, f))
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MAN_KEEP_FORMATTING=0", "PAGER=cat")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		// Without a terminal man emboldens by overstriking: "N\bN".
		text := regexp.MustCompile(".\b").ReplaceAllString(stdout.String(), "")
		if err != nil || stderr.Len() > 0 || !strings.Contains(text, "NAME") {
			t.Errorf("man -l %s: %v\nstderr: %s\nstdout: %.200s", f, err, stderr.String(), text)
		}
	}
	if n < 4 {
		t.Errorf("only %d man pages installed", n)
	}
}
