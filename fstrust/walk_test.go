package fstrust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWalk: a path is trusted when every directory passed through and
// every symbolic link followed is the agent's; a directory others can
// write (sticky ones aside) anywhere along the resolution is named in the
// refusal, also one reached half-way along a chain of links, which a check
// of the directories above the path and above its final target misses.
func TestWalk(t *testing.T) {
	root := t.TempDir()
	at := func(p string) string { return filepath.Join(root, p) }
	mkdir := func(p string, mode os.FileMode) {
		t.Helper()
		if err := os.Mkdir(at(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(at(p), mode); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.Symlink(target, at(p)); err != nil {
			t.Fatal(err)
		}
	}
	mkdir("safe", 0o755)
	mkdir("open", 0o777)
	mkdir("group", 0o775)
	mkdir("sticky", 0o777|os.ModeSticky)
	mkdir("safe/sub", 0o700)
	for _, p := range []string{"safe/conf", "safe/sub/conf", "open/conf", "sticky/conf"} {
		if err := os.WriteFile(at(p), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link("conf", "safe/rel")                 // relative, same directory
	link("sub/../conf", "safe/dotdot")       // through .. after a directory
	link(at("safe/sub"), "safe/dirlink")     // a directory reached by a link
	link(at("open/hop"), "safe/chain")       // safe -> open/hop -> safe/conf
	link(at("safe/conf"), "open/hop")        // the hop others could replace
	link(at("open"), "safe/opendir")         // a link to a directory others can write
	link("loop2", "safe/loop1")              // a loop
	link("loop1", "safe/loop2")              // ...
	link(at("safe/absent"), "safe/dangling") // to nothing
	link(at("safe/sub/conf"), "sticky/ok")   // a link of ours in a sticky dir

	ok := map[string]string{
		"safe/conf":            "safe/conf",
		"safe/rel":             "safe/conf",
		"safe/dotdot":          "safe/conf",
		"safe/dirlink/conf":    "safe/sub/conf",
		"safe/dirlink/../conf": "safe/conf",
		"sticky/conf":          "sticky/conf",
		"sticky/ok":            "safe/sub/conf",
		"safe//./sub/conf":     "safe/sub/conf",
	}
	for p, want := range ok {
		real, fi, err := Walk(at(p))
		if err != nil || real != at(want) || !fi.Mode().IsRegular() {
			t.Errorf("Walk(%s) = %q, %v, %v; want %s", p, real, fi, err, at(want))
		}
	}
	refused := map[string]string{
		"open/conf":      "directory " + at("open") + " (mode -rwxrwxrwx) is writable by other users",
		"group/x":        "directory " + at("group") + " (mode -rwxrwxr-x) is writable by other users",
		"safe/chain":     "directory " + at("open") + " (mode -rwxrwxrwx) is writable by other users",
		"safe/opendir/x": "directory " + at("open") + " (mode -rwxrwxrwx) is writable by other users",
	}
	for p, want := range refused {
		_, _, err := Walk(at(p))
		if !errors.Is(err, ErrUntrusted) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("Walk(%s) = %v, want %q", p, err, want)
		}
	}
	for _, p := range []string{"safe/absent", "safe/dangling", "nothing/conf"} {
		if _, _, err := Walk(at(p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Walk(%s) = %v, want os.ErrNotExist", p, err)
		}
	}
	if _, _, err := Walk(at("safe/loop1")); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("Walk(a loop) = %v, want ELOOP", err)
	}
	if _, _, err := Walk(at("safe/conf/x")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Walk(through a file) = %v, want ENOTDIR", err)
	}
}

// TestWalkOwners: as root, a directory or a link owned by another user
// along the way is refused, and so is, by File, a file another user owns
// or group or others may write.
func TestWalkOwners(t *testing.T) {
	const nobody = 65534
	dir := t.TempDir()
	at := func(p string) string { return filepath.Join(dir, p) }
	if err := os.Mkdir(at("theirs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(at("theirs"), nobody, nobody); err != nil {
		t.Skipf("chown: %v (needs root)", err)
	}
	if err := os.Mkdir(at("sticky"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(at("sticky"), 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("conf"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(at("conf"), at("sticky/planted")); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(at("sticky/planted"), nobody, nobody); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"theirs/conf":    "directory " + at("theirs") + " is owned by uid 65534",
		"sticky/planted": "symbolic link " + at("sticky/planted") + " is owned by uid 65534",
	} {
		if _, _, err := Walk(at(p)); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), want) {
			t.Errorf("Walk(%s) = %v, want %q", p, err, want)
		}
	}

	for _, tc := range []struct {
		mode os.FileMode
		uid  int
		want string
	}{
		{0o644, 0, ""},
		{0o600, 0, ""},
		{0o664, 0, "writable by group or others (mode -rw-rw-r--)"},
		{0o646, 0, "writable by group or others (mode -rw-r--rw-)"},
		{0o644, nobody, "owned by uid 65534, not root"},
	} {
		if err := os.Chmod(at("conf"), tc.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(at("conf"), tc.uid, 0); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(at("conf"))
		if err != nil {
			t.Fatal(err)
		}
		err = File(fi)
		if tc.want == "" && err != nil || tc.want != "" && (!errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("File(mode %v, uid %d) = %v, want %q", tc.mode, tc.uid, err, tc.want)
		}
	}
}
