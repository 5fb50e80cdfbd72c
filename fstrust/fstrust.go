// Package fstrust says whether a file the agent acts on as root can be
// changed by another user: the state dir, the event hook, the
// configuration. What root runs or believes must be owned by root or by
// the agent's own user, and neither it nor any directory above it may be
// writable by anyone else (OpenSSH's StrictModes applies the same rule to
// authorized_keys): whoever can write a directory can rename what is in it
// and put their own file in its place.
package fstrust

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrUntrusted is wrapped by the refusals of Walk and File: another user
// could have written what path names.
var ErrUntrusted = errors.New("another user could have written it")

// Owner reports whether uid may own a file the agent trusts: root or the
// agent's effective user.
func Owner(uid uint32) bool { return uid == 0 || int(uid) == os.Geteuid() }

func writableByOthers(fi os.FileInfo) bool { return fi.Mode().Perm()&0o022 != 0 }

// maxLinks is how many symbolic links one resolution follows, as the
// kernel's (MAXSYMLINKS, path_resolution(7)).
const maxLinks = 40

// Walk resolves path as the kernel does, one name at a time from /,
// following symbolic links, and checks on the way everything that decides
// what path names: every directory it passes through (dir: owned by root
// or the agent's user, and not writable by group or others unless sticky:
// others may write a sticky directory, /tmp, but not rename or remove
// what they do not own), and every symbolic link, which must
// be owned by root or the agent's user (in a sticky directory whoever owns
// a link may replace it). Checking each step, rather than the directories
// above the path and above its final target, also covers a link half-way
// along a chain, and directories reached through a link, whose own parent
// decides where they lead. It returns the path resolved (free of links)
// and the Lstat of what it names, which is not itself checked (File does
// that; a caller may take some devices). A refusal wraps ErrUntrusted and
// names the directory or link; a name missing on the way is an error
// wrapping os.ErrNotExist.
func Walk(path string) (string, os.FileInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	cur := "/"
	fi, err := os.Lstat(cur)
	if err != nil {
		return "", nil, err
	}
	if err := dir(cur, fi); err != nil {
		return "", nil, err
	}
	rest := names(abs)
	for links := 0; len(rest) > 0; {
		name := rest[0]
		rest = rest[1:]
		if name == "." {
			continue
		}
		if name == ".." {
			cur = filepath.Dir(cur) // cur has no links: its parent is the lexical one
			if fi, err = os.Lstat(cur); err != nil {
				return "", nil, err
			}
			continue
		}
		next := filepath.Join(cur, name)
		if fi, err = os.Lstat(next); err != nil {
			return "", nil, err
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", nil, &os.PathError{Op: "walk", Path: path, Err: syscall.ELOOP}
			}
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && !Owner(st.Uid) {
				return "", nil, fmt.Errorf("%w: symbolic link %s is owned by uid %d, not root or uid %d", ErrUntrusted, next, st.Uid, os.Geteuid())
			}
			target, err := os.Readlink(next)
			if err != nil {
				return "", nil, err
			}
			if filepath.IsAbs(target) {
				cur = "/" // checked first
			}
			rest = append(names(target), rest...)
		case len(rest) > 0:
			if !fi.IsDir() {
				return "", nil, &os.PathError{Op: "walk", Path: next, Err: syscall.ENOTDIR}
			}
			if err := dir(next, fi); err != nil {
				return "", nil, err
			}
			cur = next
		default:
			return next, fi, nil
		}
	}
	return cur, fi, nil // path names a directory by ".." or "/"
}

// names splits p into its names, without the empty ones of repeated or
// leading and trailing slashes.
func names(p string) []string {
	var out []string
	for n := range strings.SplitSeq(p, "/") {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// dir checks the directory d (fi its Lstat) by Walk's rule.
func dir(d string, fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case writableByOthers(fi) && fi.Mode()&os.ModeSticky == 0:
		return fmt.Errorf("%w: directory %s (mode %v) is writable by other users", ErrUntrusted, d, fi.Mode().Perm())
	case ok && !Owner(st.Uid):
		return fmt.Errorf("%w: directory %s is owned by uid %d, not root or uid %d", ErrUntrusted, d, st.Uid, os.Geteuid())
	}
	return nil
}

// File checks a file root acts on (fi its stat, not a link): owned by root
// or the agent's user, and not writable by group or others. A refusal
// wraps ErrUntrusted.
func File(fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case ok && !Owner(st.Uid):
		return fmt.Errorf("%w: owned by uid %d, not root or uid %d", ErrUntrusted, st.Uid, os.Geteuid())
	case writableByOthers(fi):
		return fmt.Errorf("%w: writable by group or others (mode %v)", ErrUntrusted, fi.Mode().Perm())
	}
	return nil
}
