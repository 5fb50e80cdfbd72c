package fstrust

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAbove: a path is refused when a directory above it is writable by
// group or others without the sticky bit; a sticky one (/tmp) is fine.
func TestAbove(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		bad  bool
	}{
		{0o755, false},
		{0o700, false},
		{0o775, true},
		{0o757, true},
		{0o777 | os.ModeSticky, false},
	} {
		d := filepath.Join(t.TempDir(), "d")
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, tc.mode); err != nil {
			t.Fatal(err)
		}
		err := Above(filepath.Join(d, "f"))
		if (err != nil) != tc.bad || tc.bad && !strings.Contains(err.Error(), d+" above it") {
			t.Errorf("mode %v: %v, want refused=%v naming %s", tc.mode, err, tc.bad, d)
		}
	}
	if err := Above(filepath.Join(t.TempDir(), "missing", "f")); err == nil {
		t.Error("a missing directory above passed")
	}
}

func TestOwner(t *testing.T) {
	if !Owner(0) || !Owner(uint32(os.Geteuid())) {
		t.Fatal("root or the agent's user refused")
	}
	if os.Geteuid() != 65534 && Owner(65534) {
		t.Fatal("nobody accepted")
	}
}
