package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/regfile/regfiletest"
	"golang.org/x/sys/unix"
)

// loadNow runs Load(path), failing the test when it does not return at
// once (regfiletest.Prompt).
func loadNow(t *testing.T, path string) (c *Config, err error) {
	t.Helper()
	regfiletest.Prompt(t, "Load("+path+")", func() { c, err = Load(path) })
	return c, err
}

// TestLoadRefusesNonRegular: what is not a regular file of at most MaxSize
// bytes is refused at once, the error naming the path and why; a FIFO
// blocked Load for ever, and a file over the limit was read whole.
func TestLoadRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.conf")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.conf")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir.conf")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.conf") // blank lines: it would parse
	if err := os.WriteFile(big, []byte(strings.Repeat("\n", MaxSize+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "a FIFO, not a regular file"},
		{"/dev/zero", "a device, not a regular file"},
		{zero, "a device, not a regular file"},
		{sub, "a directory, not a regular file"},
		{big, "4194305 bytes, over the limit of 4194304"},
	} {
		c, err := loadNow(t, tc.path)
		if err == nil || !strings.HasPrefix(err.Error(), tc.path+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s) = %v, %v; want an error %q naming the file", tc.path, c, err, tc.want)
		}
	}
}

// TestLoadFollowsSymlink: a configuration an operator links into place is
// read (docs/config.md), and so is a file of exactly MaxSize bytes.
func TestLoadFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.conf")
	text := "ROUTE_METRIC=7\n"
	text += strings.Repeat("#"+strings.Repeat(" ", 1022)+"\n", (MaxSize-len(text))/1024)
	text += strings.Repeat("\n", MaxSize-len(text))
	if err := os.WriteFile(real, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "dhcpagent.conf")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	c, err := loadNow(t, link)
	if err != nil || c.Uint("eth0", "ROUTE_METRIC") != 7 {
		t.Fatalf("Load(link to %d bytes) = %v; want ROUTE_METRIC 7", len(text), err)
	}
}
