package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/regfile/regfiletest"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// TestNewDUIDMachineIDNotRegular: a machine id that is a FIFO or a device
// gives a random DUID-UUID at once; a FIFO blocked the agent's first
// start for ever. A good one gives its DUID, through a link too.
func TestNewDUIDMachineIDNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	id := "0123456789abcdef0123456789abcdef\n"
	good := filepath.Join(dir, "machine-id")
	if err := os.WriteFile(good, []byte(id), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	want, err := lease.DUIDFromMachineID(id)
	if err != nil {
		t.Fatal(err)
	}
	duid := func(path string) (d []byte) {
		t.Helper()
		regfiletest.Prompt(t, "newDUID("+path+")", func() { d = newDUID(path, zap.NewNop()) })
		return d
	}
	for _, path := range []string{fifo, "/dev/zero", dir} {
		if d := duid(path); len(d) != 18 || !bytes.Equal(d[:2], []byte{0, 4}) || bytes.Equal(d, want) {
			t.Errorf("newDUID(%s) = %x, want a random DUID-UUID", path, d)
		}
	}
	for _, path := range []string{good, link} {
		if d := duid(path); !bytes.Equal(d, want) {
			t.Errorf("newDUID(%s) = %x, want %x from the machine id", path, d, want)
		}
	}
}
