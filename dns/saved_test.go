package dns

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestFileSavedLinkNotFollowed: a symbolic link planted as the saved copy
// is neither read as the original (its content would be restored into
// RESOLV_CONF: any file's, or a link to anything) nor written through, and
// with no copy kept the original is not replaced.
func TestFileSavedLinkNotFollowed(t *testing.T) {
	dir := t.TempDir()
	f := &File{Path: filepath.Join(dir, "resolv.conf"), Saved: filepath.Join(dir, "resolv.conf.orig")}
	orig := "nameserver 192.0.2.1\n"
	if err := os.WriteFile(f.Path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	planted, _ := json.Marshal(saved{Existed: true, Mode: 0o644, Content: []byte("nameserver 203.0.113.66\n")})
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, planted, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, f.Saved); err != nil {
		t.Fatal(err)
	}
	l := Link{Name: "eth0", Servers: addrs("198.18.0.53")}
	if err := f.Set([]Link{l}, l); err == nil || !strings.Contains(err.Error(), f.Saved+": a symbolic link, not followed") {
		t.Errorf("Set = %v, want it refused naming %s as a link", err, f.Saved)
	}
	if got := read(t, f.Path); got != orig {
		t.Errorf("RESOLV_CONF replaced with no copy of it kept: %q", got)
	}
	if err := f.Revert(nil, l); err == nil || !strings.Contains(err.Error(), f.Saved+": a symbolic link, not followed") {
		t.Errorf("Revert = %v, want it refused naming %s as a link", err, f.Saved)
	}
	if got := read(t, f.Path); got != orig {
		t.Errorf("RESOLV_CONF restored from the link's target: %q", got)
	}
	if got := read(t, victim); got != string(planted) {
		t.Errorf("the link's target was written: %q", got)
	}
}

// TestFileSavedNotRewrittenInPlace: when the state dir cannot take a new
// file (read-only; here immutable, the one refusal root meets on a
// writable file system), the saved copy is not rewritten in place, which
// would write through a link planted there.
func TestFileSavedNotRewrittenInPlace(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(state, "resolv.conf.orig")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("root's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, saved); err != nil {
		t.Fatal(err)
	}
	immutable(t, state)
	err := replace(saved, []byte(`{"existed":false}`), 0o600, atomicOnly)
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("replace = %v, want the state dir's refusal", err)
	}
	if got := read(t, victim); got != "root's\n" {
		t.Errorf("written through the link: %q", got)
	}
}

// fsImmutable is FS_IMMUTABLE_FL (linux/fs.h, chattr +i).
const fsImmutable = 0x10

// immutable makes dir immutable (chattr +i) until the test ends, or skips
// the test where that cannot be done (not root, a file system without it).
func immutable(t *testing.T, dir string) {
	t.Helper()
	if err := setFlags(dir, fsImmutable); err != nil {
		t.Skipf("chattr +i %s: %v (needs root and a file system with the flag)", dir, err)
	}
	t.Cleanup(func() {
		if err := setFlags(dir, 0); err != nil {
			t.Errorf("chattr -i %s: %v", dir, err)
		}
	})
}

func setFlags(dir string, fl int) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.IoctlSetPointerInt(int(d.Fd()), unix.FS_IOC_SETFLAGS, fl)
}

// TestFileDeviceNotReplaced: RESOLV_CONF naming a device (/dev/null, to
// throw the DNS away) is refused before anything is written: the rename
// would have put a regular file in its place, and the restore a
// world-writable one.
func TestFileDeviceNotReplaced(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "null")
	if err := unix.Mknod(dev, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Skipf("mknod: %v (needs root)", err)
	}
	f := &File{Path: dev, Saved: filepath.Join(dir, "saved")}
	l := Link{Name: "eth0", Servers: addrs("198.18.0.53")}
	if err := f.Set([]Link{l}, l); err == nil || !strings.Contains(err.Error(), dev+": a device, not a regular file") {
		t.Errorf("Set = %v, want it refused naming %s as a device", err, dev)
	}
	if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("the device was replaced: %v, %v", fi, err)
	}
	if _, err := os.Lstat(f.Saved); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a copy of the device was kept: %v", err)
	}
}

// TestFileSavedNullDevice: the null device at the saved copy's path fails
// the write saying what it is, as any other non-regular file there does.
// The reason was taken from regfile.ReadNoFollow, which reads the null
// device as empty content and gives none: "%!w(<nil>)".
func TestFileSavedNullDevice(t *testing.T) {
	dir := t.TempDir()
	f := &File{Path: filepath.Join(dir, "resolv.conf"), Saved: filepath.Join(dir, "resolv.conf.orig")}
	if err := unix.Mknod(f.Saved, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Skipf("mknod: %v (needs root)", err)
	}
	l := Link{Name: "eth0", Servers: addrs("198.18.0.53")}
	if err := f.Set([]Link{l}, l); err == nil || !strings.Contains(err.Error(), f.Saved+": a device, not a regular file") {
		t.Errorf("Set = %v, want it refused naming %s as a device", err, f.Saved)
	}
}
