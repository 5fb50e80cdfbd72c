package dns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/regfile/regfiletest"
	"golang.org/x/sys/unix"
)

// TestFileNotRegular: a FIFO at RESOLV_CONF, or in the saved copy's place,
// fails the write or the restore at once with the reason, and leaves it
// there; its read used to block the interface's kernel worker for ever.
func TestFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	f := &File{Path: filepath.Join(dir, "resolv.conf"), Saved: filepath.Join(dir, "resolv.conf.orig")}
	now := func(what string, op func() error) (err error) {
		t.Helper()
		regfiletest.Prompt(t, what, func() { err = op() })
		return err
	}
	if err := unix.Mkfifo(f.Path, 0o644); err != nil {
		t.Fatal(err)
	}
	link := []Link{{Name: "eth0", Index: 2, Servers: addrs("198.18.0.53")}}
	err := now("Set with a FIFO at RESOLV_CONF", func() error { return f.Set(link, link[0]) })
	if err == nil || !strings.Contains(err.Error(), f.Path+": a FIFO") {
		t.Fatalf("Set = %v, want it refused naming %s as a FIFO", err, f.Path)
	}
	if fi, err := os.Lstat(f.Path); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced (%v, %v)", fi, err)
	}

	if err := os.Remove(f.Path); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(f.Saved, 0o600); err != nil {
		t.Fatal(err)
	}
	err = now("Revert with a FIFO as the saved copy", func() error { return f.Revert(nil, link[0]) })
	if err == nil || !strings.Contains(err.Error(), f.Saved+": a FIFO") {
		t.Fatalf("Revert = %v, want it refused naming %s as a FIFO", err, f.Saved)
	}
}
