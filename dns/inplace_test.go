package dns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/regfile/regfiletest"
	"golang.org/x/sys/unix"
)

// TestInPlaceNotRegular: the in-place rewrite (a bind-mounted or
// read-only-/etc RESOLV_CONF) refuses at once what is not a regular file:
// its O_WRONLY open of a FIFO used to wait for a reader for ever, holding
// the interface's kernel worker; a FIFO with a reader would have taken the
// file; a device is not even opened. A regular file behind a symbolic link
// is rewritten (the policy of regfile.Read: an operator's link is normal).
func TestInPlaceNotRegular(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := unix.Mkfifo(at("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(at("read-fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A reader on the second FIFO: its open for writing would succeed.
	rfd, err := unix.Open(at("read-fifo"), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(rfd)
	if err := os.Symlink(at("fifo"), at("fifo-link")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		at("fifo"):      "a FIFO, not a regular file",
		at("read-fifo"): "a FIFO, not a regular file",
		at("fifo-link"): "a FIFO, not a regular file",
		"/dev/null":     "a device, not a regular file",
		dir:             "a directory, not a regular file",
	} {
		var err error
		regfiletest.Prompt(t, "inPlace("+path+")", func() { err = inPlace(path, []byte("nameserver 198.18.0.53\n")) })
		if err == nil || !strings.Contains(err.Error(), path+": "+want) {
			t.Errorf("inPlace(%s) = %v, want %q naming it", path, err, want)
		}
	}
	var buf [64]byte
	if n, _ := unix.Read(rfd, buf[:]); n > 0 {
		t.Errorf("the FIFO's reader got %q", buf[:n])
	}

	if err := os.WriteFile(at("file"), []byte("an old and longer content\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("file", at("link")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"file", "link"} {
		if err := inPlace(at(name), []byte("nameserver 198.18.0.53\n")); err != nil {
			t.Fatalf("inPlace(%s): %v", name, err)
		}
		if got := read(t, at("file")); got != "nameserver 198.18.0.53\n" {
			t.Fatalf("after inPlace(%s): %q", name, got)
		}
	}
	if fi, err := os.Lstat(at("link")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v, %v", fi, err)
	}
}
