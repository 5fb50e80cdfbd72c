// Package fstrust says whether a file the agent acts on as root can be
// changed by another user: the state dir, the event hook. What root runs
// or believes must be owned by root or by the agent's own user, and
// neither it nor any directory above it may be writable by anyone else
// (OpenSSH's StrictModes applies the same rule to authorized_keys):
// whoever can write a directory can rename what is in it and put their own
// file in its place.
package fstrust

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Owner reports whether uid may own a file the agent trusts: root or the
// agent's effective user.
func Owner(uid uint32) bool { return uid == 0 || int(uid) == os.Geteuid() }

// Above checks every directory above path, which must be absolute and
// free of symbolic links (filepath.EvalSymlinks, then filepath.Abs), up
// to /. Each must be owned by root or the agent's user and not writable by
// group or others, unless sticky: others may write a sticky directory
// (/tmp) but not rename or remove what they do not own. The error names
// the first directory that fails.
func Above(path string) error {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		switch {
		case fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0:
			return fmt.Errorf("%s above it (mode %v) is writable by other users", d, fi.Mode().Perm())
		case ok && !Owner(st.Uid):
			return fmt.Errorf("%s above it is owned by uid %d, not root or uid %d", d, st.Uid, os.Geteuid())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
