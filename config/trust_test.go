package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/fstrust"
)

// TestLoadRefusesUntrusted: a configuration another user could have
// written (the file writable by group or others or owned by another user,
// or a directory on the way writable by others) is refused, the error
// naming the file and why, wrapping fstrust.ErrUntrusted; LoadUntrusted
// (the opt-out) reads it. A file of ours in a sticky directory (/tmp, as
// every test's), a missing one and /dev/null are taken.
func TestLoadRefusesUntrusted(t *testing.T) {
	const text = "ROUTE_METRIC=7\n"
	for _, tc := range []struct {
		name      string
		mode, dir os.FileMode
		uid       int
		want      string
	}{
		{"ours", 0o644, 0o755, -1, ""},
		{"group-writable", 0o664, 0o755, -1, "writable by group or others (mode -rw-rw-r--)"},
		{"world-writable", 0o666, 0o755, -1, "writable by group or others (mode -rw-rw-rw-)"},
		{"directory writable by others", 0o644, 0o777, -1, "(mode -rwxrwxrwx) is writable by other users"},
		{"sticky directory", 0o644, 0o777 | os.ModeSticky, -1, ""},
		{"another user's", 0o644, 0o755, 65534, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "etc")
			path := filepath.Join(dir, "dhcpagent.conf")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.uid >= 0 {
				if err := os.Chown(path, tc.uid, tc.uid); err != nil {
					t.Skipf("chown: %v (needs root)", err)
				}
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dir); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if tc.want == "" {
				if err != nil || c.Uint("eth0", "ROUTE_METRIC") != 7 {
					t.Fatalf("Load = %v; want it read", err)
				}
				return
			}
			if !errors.Is(err, fstrust.ErrUntrusted) || !strings.HasPrefix(err.Error(), path+": another user could have written it: ") ||
				!strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, %v; want it refused naming %s and %q", c, err, path, tc.want)
			}
			if c, err := LoadUntrusted(path); err != nil || c.Uint("eth0", "ROUTE_METRIC") != 7 {
				t.Fatalf("LoadUntrusted = %v; want it read", err)
			}
		})
	}
	for _, path := range []string{"/dev/null", filepath.Join(t.TempDir(), "absent.conf")} {
		if c, err := Load(path); err != nil || c.Get("", "DNS") != "auto" {
			t.Errorf("Load(%s) = %v; want every default", path, err)
		}
	}
}

// TestLoadRefusesUntrustedLink: a link to the configuration is followed
// only when nobody else could change where it leads: one in, or leading
// through, a directory others may write is refused.
func TestLoadRefusesUntrustedLink(t *testing.T) {
	root := t.TempDir()
	safe, open := filepath.Join(root, "safe"), filepath.Join(root, "open")
	for _, d := range []string{safe, open} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(safe, "real.conf")
	if err := os.WriteFile(real, []byte("ROUTE_METRIC=7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hop := filepath.Join(open, "hop")
	for link, target := range map[string]string{
		filepath.Join(open, "dhcpagent.conf"): real,
		hop:                                   real,
		filepath.Join(safe, "dhcpagent.conf"): hop,
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{filepath.Join(open, "dhcpagent.conf"), filepath.Join(safe, "dhcpagent.conf")} {
		if _, err := Load(path); !errors.Is(err, fstrust.ErrUntrusted) || !strings.Contains(err.Error(), "directory "+open+" (mode") {
			t.Errorf("Load(%s) = %v; want it refused naming %s", path, err, open)
		}
	}
}
