package dns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileMergesAndRestores(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	orig := "# the operator's own\nnameserver 192.0.2.1\n"
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	f := &File{Path: path, Saved: filepath.Join(dir, "state", "resolv.conf.orig")}
	if err := os.Mkdir(filepath.Dir(f.Saved), 0o700); err != nil {
		t.Fatal(err)
	}
	m := NewManager(f, func(name string, err error) { t.Errorf("%s: %v", name, err) })
	defer m.Close(0)

	m.Set(Link{Name: "eth1", Index: 3, Servers: addrs("198.18.1.53"), Domains: []string{"one.example"}})
	m.Set(Link{Name: "eth0", Index: 2, Primary: true, Servers: addrs("198.18.0.53", "198.18.1.53"), Domains: []string{"zero.example"}})
	m.Wait()
	want := Header + "# interfaces: eth0 eth1\nnameserver 198.18.0.53\nnameserver 198.18.1.53\nsearch zero.example one.example\n"
	if got := read(t, path); got != want {
		t.Fatalf("file:\n%s\nwant:\n%s", got, want)
	}

	// A restart (a new File, as after kill -9) still knows the original.
	f2 := &File{Path: path, Saved: f.Saved}
	m.Close(0)
	m2 := NewManager(f2, func(name string, err error) { t.Errorf("%s: %v", name, err) })
	defer m2.Close(0)
	m2.Set(Link{Name: "eth1", Index: 3, Servers: addrs("198.18.1.53")})
	m2.Wait()
	if got := read(t, path); got != Header+"# interfaces: eth1\nnameserver 198.18.1.53\n" {
		t.Fatalf("after the restart:\n%s", got)
	}
	m2.Clear("eth1")
	m2.Wait()
	if got := read(t, path); got != orig {
		t.Fatalf("restored:\n%q\nwant:\n%q", got, orig)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("restored mode %v (%v), want 0640", fi.Mode(), err)
	}
	if _, err := os.Stat(f.Saved); !os.IsNotExist(err) {
		t.Fatalf("saved copy left after the restore: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".resolv.conf.dhcpagent-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestFileAbsentIsRemovedAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	f := &File{Path: filepath.Join(dir, "resolv.conf"), Saved: filepath.Join(dir, "saved")}
	l := Link{Name: "eth0", Servers: addrs("198.18.0.53")}
	if err := f.Set([]Link{l}, l); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(read(t, f.Path), Header) {
		t.Fatal("not written")
	}
	if err := f.Revert(nil, l); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
		t.Fatalf("the file the agent created is still there: %v", err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFileSymlinkRestored: a resolv.conf that is a symbolic link (to
// resolvconf's or resolved's file) is replaced by the agent's file and
// comes back as the same link, its target untouched.
func TestFileSymlinkRestored(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "stub-resolv.conf")
	if err := os.WriteFile(target, []byte("nameserver 127.0.0.53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "resolv.conf")
	if err := os.Symlink("stub-resolv.conf", path); err != nil {
		t.Fatal(err)
	}
	f := &File{Path: path, Saved: filepath.Join(dir, "saved")}
	l := Link{Name: "eth0", Servers: addrs("198.18.0.53")}
	if err := f.Set([]Link{l}, l); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(read(t, path), Header) || read(t, target) != "nameserver 127.0.0.53\n" {
		t.Fatalf("after Set: %q, target %q", read(t, path), read(t, target))
	}
	if err := f.Revert(nil, l); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(path); err != nil || got != "stub-resolv.conf" {
		t.Fatalf("restored %q (%v), want the link to stub-resolv.conf", got, err)
	}
}

// TestFileSymlinkRestoredPastSquatter: a name planted in resolv.conf's
// directory (a sticky /etc-like one that others may write) where the
// agent would build the link it restores neither stops the restore nor
// is removed: the link is built under a fresh name.
func TestFileSymlinkRestoredPastSquatter(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stub-resolv.conf"), []byte("nameserver 127.0.0.53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "resolv.conf")
	if err := os.Symlink("stub-resolv.conf", path); err != nil {
		t.Fatal(err)
	}
	// A non-empty directory cannot be removed, by root either: it stands
	// for another user's file in a sticky directory.
	squat := filepath.Join(dir, ".resolv.conf.dhcpagent-link")
	if err := os.MkdirAll(filepath.Join(squat, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := &File{Path: path, Saved: filepath.Join(dir, "saved")}
	l := Link{Name: "eth0", Servers: addrs("198.18.0.53")}
	if err := f.Set([]Link{l}, l); err != nil {
		t.Fatal(err)
	}
	if err := f.Revert(nil, l); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Readlink(path); err != nil || got != "stub-resolv.conf" {
		t.Fatalf("restored %q (%v), want the link to stub-resolv.conf", got, err)
	}
	if _, err := os.Stat(filepath.Join(squat, "x")); err != nil {
		t.Fatalf("the planted name was touched: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".resolv.conf.dhcpagent-link?*"))
	if len(left) != 0 {
		t.Fatalf("temporary links left behind: %v", left)
	}
}
