package fstrust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWalkDirMode: a path is refused when a directory on the way is
// writable by group or others without the sticky bit; a sticky one (/tmp)
// is fine.
func TestWalkDirMode(t *testing.T) {
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
		f := filepath.Join(d, "f")
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := Walk(f)
		if (err != nil) != tc.bad || tc.bad && (!errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), d)) {
			t.Errorf("mode %v: %v, want refused=%v naming %s", tc.mode, err, tc.bad, d)
		}
	}
	if _, _, err := Walk(filepath.Join(t.TempDir(), "missing", "f")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing directory on the way: %v, want os.ErrNotExist", err)
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
