package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dhcpagent/dhcpagent/fstrust"
	"golang.org/x/sys/unix"
)

// The state dir is trusted only as far as it is checked. Whoever can write
// it can make root install any address, so the directory itself must be
// writable by nobody but root and the agent's user (checkDir: otherwise
// Open refuses it). Its contents are read as untrusted: a record is read
// only from a regular file, never through a symbolic link (a link to
// /dev/zero would exhaust memory), never from a FIFO or a device (a FIFO
// blocks the reader forever), never past a size limit, and only when no
// other user could have written it. Anything else is set aside, reported,
// and the agent goes on without it: damaged contents are never fatal.

// Size limits of the records. Each is far above what the agent writes (a
// lease record holds two ACKs in hex: a few KiB, at most 256 KiB for two
// 64 KiB packets; ipadm.json of a thousand interfaces with three address
// objects each is about 500 KiB) and small enough that reading one can
// never exhaust memory.
const (
	maxSmall = 64 << 10 // host.json, interfaces/IFNAME.json
	maxLease = 1 << 20  // leases/IFNAME.json
	maxIPAdm = 16 << 20 // ipadm.json
)

// tmpMark is in the name of every temporary file replace makes; a file
// with it left in a directory is what a kill -9 during a write leaves.
const tmpMark = ".tmp-"

// errAside wraps the reason a file was rejected and set aside.
type errAside struct{ reason error }

func (e errAside) Error() string { return e.reason.Error() }
func (e errAside) Unwrap() error { return e.reason }

// checkDir refuses a state directory another user could write: one
// writable by group or others (sticky or not: a sticky bit still lets
// them create a missing record), or owned by someone other than root and
// the agent's user. It follows symbolic links at and along the path: the
// operator may point /var/lib/dhcpagent elsewhere; the target is what is
// checked. So is everything that decides where the path leads, resolved
// by fstrust.Walk, the rule of the configuration and the hook: every
// directory passed through (whoever can rename in one of them can put
// another state dir in its place; a sticky one, /tmp, is fine: others may
// write it but not rename what they do not own) and every link followed.
// Checking only the directories above the final target would miss a link
// half-way along (/var/lib/dhcpagent -> /home/u/x -> /srv/state: u
// repoints x), or a link another user owns.
func checkDir(dir string) error {
	real, fi, err := fstrust.Walk(dir)
	if errors.Is(err, fstrust.ErrUntrusted) {
		return fmt.Errorf("state directory %s: on the way to it, %w", dir, err)
	}
	if err != nil {
		return err
	}
	if real != dir {
		return insecure(fi, "state directory "+dir+" (at "+real+")")
	}
	return insecure(fi, "state directory "+dir)
}

// insecure says why fi, an entry of the state dir, is not to be trusted:
// not a directory, writable by other users, or owned by another user.
func insecure(fi os.FileInfo, what string) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory (%v)", what, fi.Mode().Type())
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s (mode %v) is writable by other users: make it 0700", what, fi.Mode().Perm())
	case ok && !fstrust.Owner(st.Uid):
		return fmt.Errorf("%s is owned by uid %d, not root or uid %d", what, st.Uid, os.Geteuid())
	}
	return nil
}

// readFile reads the record at name (relative to the state dir), at most
// limit bytes. A missing file is (nil, false, nil). A file that is not a
// regular file (a directory, a FIFO, a device, a symbolic link: not
// followed), is larger than limit, or that another user owns or could
// write, is rejected with an errAside. Any other failure to read is
// returned as it is.
func (s *Store) readFile(name string, limit int64) ([]byte, bool, error) {
	path := filepath.Join(s.dir, name)
	// O_NONBLOCK: opening a FIFO for reading does not wait for a writer;
	// O_NOFOLLOW: a symbolic link fails with ELOOP instead of being
	// followed.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil, false, nil
	case errors.Is(err, unix.ELOOP):
		return nil, true, errAside{errors.New("a symbolic link, not a regular file: not followed")}
	case errors.Is(err, unix.ENXIO) || errors.Is(err, unix.ENODEV):
		return nil, true, errAside{errors.New("a device or socket, not a regular file")}
	case err != nil:
		return nil, true, fmt.Errorf("open %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, true, fmt.Errorf("stat %s: %w", name, err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.Mode().IsRegular():
		return nil, true, errAside{fmt.Errorf("not a regular file (%v)", fi.Mode().Type())}
	case fi.Size() > limit:
		return nil, true, errAside{fmt.Errorf("%d bytes, over the limit of %d", fi.Size(), limit)}
	case st != nil && !fstrust.Owner(st.Uid):
		return nil, true, errAside{fmt.Errorf("owned by uid %d, not root or uid %d", st.Uid, os.Geteuid())}
	case fi.Mode().Perm()&0o022 != 0:
		return nil, true, errAside{fmt.Errorf("writable by other users (mode %v)", fi.Mode().Perm())}
	}
	// The file was regular when opened; it may still grow while read.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, true, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, true, errAside{fmt.Errorf("over the limit of %d bytes", limit)}
	}
	return b, true, nil
}

// setAside renames the entry at name (relative to the state dir) to
// NAME.corrupt-TIME, so that it is kept for a person to look at and never
// read again, and reports it. When even the rename fails (a read-only
// dir), the problem is reported all the same and the entry stays: the
// caller treats it as absent either way.
func (s *Store) setAside(name string, why error) {
	path := filepath.Join(s.dir, name)
	aside := fmt.Sprintf("%s.corrupt-%s", path, s.now().UTC().Format("20060102T150405.000000000"))
	p := Problem{Kind: KindSetAside, File: name, Reason: why.Error()}
	if err := os.Rename(path, aside); err != nil {
		p.Reason += "; could not set it aside: " + err.Error()
	} else {
		p.Aside, _ = filepath.Rel(s.dir, aside)
	}
	s.report(p)
}

// ensureDir makes the subdirectory name of the state dir, setting aside
// whatever is in its way: a file, a symbolic link, or a directory another
// user owns or could write (its records cannot be trusted).
func (s *Store) ensureDir(name string) error {
	path := filepath.Join(s.dir, name)
	fi, err := os.Lstat(path)
	if err == nil {
		bad := insecure(fi, name)
		if bad == nil {
			return nil
		}
		s.setAside(name, bad)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

// sweep removes the temporary files a kill -9 left in the directory name
// (relative to the state dir) during a write: their records were never
// renamed into place, so nothing committed is lost. Only regular files and
// symbolic links are removed (a link itself, never its target).
func (s *Store) sweep(name string) {
	dir := filepath.Join(s.dir, name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") || !strings.Contains(e.Name(), tmpMark) || e.IsDir() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.report(Problem{Kind: KindUnwritable, File: filepath.Join(name, e.Name()), Reason: "temporary file left by an interrupted write could not be removed: " + err.Error()})
		}
	}
}

// now is the store's clock, for the names of set-aside files and the
// times of problems.
func (s *Store) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}
