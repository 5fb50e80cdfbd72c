package regfile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/regfile/regfiletest"
	"golang.org/x/sys/unix"
)

// TestRead: a regular file of at most the limit is read, through a
// symbolic link too; a missing one is os.ErrNotExist; every other kind of
// file, and a larger one, is refused at once with the reason, the FIFO
// without waiting for a writer.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(at("ten"), []byte("0123456789"), 0o600))
	must(os.WriteFile(at("eleven"), []byte("0123456789a"), 0o600))
	must(os.Symlink(at("ten"), at("link")))
	must(os.Symlink("/dev/zero", at("zero")))
	must(os.Symlink(at("absent"), at("dangling")))
	must(unix.Mkfifo(at("fifo"), 0o600))
	must(os.Mkdir(at("dir"), 0o700))
	l, err := net.Listen("unix", at("sock"))
	must(err)
	defer l.Close()

	for _, name := range []string{"ten", "link"} {
		if b, err := Read(at(name), 10); err != nil || string(b) != "0123456789" {
			t.Errorf("Read(%s, 10) = %q, %v; want its ten bytes", name, b, err)
		}
	}
	// The null device, named or through a link, is empty content: the
	// usual "no configuration" (--config /dev/null).
	must(os.Symlink("/dev/null", at("null")))
	for _, path := range []string{"/dev/null", at("null")} {
		if b, err := Read(path, 10); err != nil || b == nil || len(b) != 0 {
			t.Errorf("Read(%s) = %q, %v; want empty content", path, b, err)
		}
	}
	for _, name := range []string{"absent", "dangling"} {
		if _, err := Read(at(name), 10); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Read(%s) = %v, want os.ErrNotExist", name, err)
		}
	}
	refused := map[string]string{
		at("eleven"): "11 bytes, over the limit of 10",
		at("fifo"):   "a FIFO, not a regular file",
		"/dev/zero":  "a device, not a regular file",
		at("zero"):   "a device, not a regular file",
		at("dir"):    "a directory, not a regular file",
		at("sock"):   "a socket, not a regular file",
	}
	for path, want := range refused {
		var err error
		regfiletest.Prompt(t, "Read("+path+")", func() { _, err = Read(path, 10) })
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), path) {
			t.Errorf("Read(%s) = %v; want %q, without the path", path, err, want)
		}
	}
}

// TestReadNoFollow: the agent's own file is read as Read reads it, but a
// symbolic link at its path is refused, whatever it names.
func TestReadNoFollow(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(at("own"), []byte("ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(at("own"), at("link")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(at("fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadNoFollow(at("own"), 10); err != nil || string(b) != "ours" {
		t.Errorf("ReadNoFollow(own) = %q, %v", b, err)
	}
	if _, err := ReadNoFollow(at("absent"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadNoFollow(absent) = %v, want os.ErrNotExist", err)
	}
	for name, want := range map[string]string{"link": "a symbolic link, not followed", "fifo": "a FIFO, not a regular file"} {
		var err error
		regfiletest.Prompt(t, "ReadNoFollow("+name+")", func() { _, err = ReadNoFollow(at(name), 10) })
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ReadNoFollow(%s) = %v, want %q", name, err, want)
		}
	}
}

// TestOpenWrite: a regular file, through a link too, is opened for
// writing and not truncated; a FIFO (with or without a reader), a device,
// a directory is refused at once with the reason.
func TestOpenWrite(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(at("file"), []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("file", at("link")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fifo", "read-fifo"} {
		if err := unix.Mkfifo(at(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rfd, err := unix.Open(at("read-fifo"), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(rfd)
	for _, name := range []string{"file", "link"} {
		f, err := OpenWrite(at(name))
		if err != nil {
			t.Fatalf("OpenWrite(%s): %v", name, err)
		}
		f.Close()
	}
	if b, _ := os.ReadFile(at("file")); string(b) != "kept" {
		t.Errorf("OpenWrite truncated the file: %q", b)
	}
	refused := map[string]string{
		at("fifo"):      "a FIFO, not a regular file: not written",
		at("read-fifo"): "a FIFO, not a regular file: not written",
		"/dev/null":     "a device, not a regular file: not written",
		dir:             "a directory, not a regular file: not written",
	}
	for path, want := range refused {
		var err error
		regfiletest.Prompt(t, "OpenWrite("+path+")", func() {
			var f *os.File
			if f, err = OpenWrite(path); err == nil {
				f.Close()
			}
		})
		if err == nil || err.Error() != want {
			t.Errorf("OpenWrite(%s) = %v, want %q", path, err, want)
		}
	}
	if _, err := OpenWrite(at("absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenWrite(absent) = %v, want os.ErrNotExist", err)
	}
}
