package agent

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dhcpagent/dhcpagent/fstrust"
	"golang.org/x/sys/unix"
)

// ErrRunning means another agent holds the control socket.
var ErrRunning = errors.New("another agent is running")

// listen takes the control socket at path. A lock file beside it decides
// who owns the path, so two agents cannot race for it; once we hold the
// lock, a socket file left by a dead agent is stale and replaced. The
// returned closer releases both.
func listen(path string) (*net.UnixListener, func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, fmt.Errorf("socket directory: %w", err)
	}
	if err := checkSocketDir(filepath.Dir(path)); err != nil {
		return nil, nil, err
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0o600) // a symlink planted there is not followed, a FIFO never blocks
	if err != nil {
		return nil, nil, fmt.Errorf("lock file: %w", err)
	}
	if err := checkLockFile(lock); err != nil {
		lock.Close()
		return nil, nil, err
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, nil, fmt.Errorf("%w on %s", ErrRunning, path)
		}
		return nil, nil, fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		// Not a socket we left: a directory (maybe with contents) in the
		// way. It is set aside, not deleted, and the agent starts.
		if err := os.Rename(path, fmt.Sprintf("%s.aside-%d", path, time.Now().UnixNano())); err != nil {
			lock.Close()
			return nil, nil, fmt.Errorf("set aside the directory at %s: %w", path, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		lock.Close()
		return nil, nil, fmt.Errorf("remove stale socket: %w", err)
	}
	// Anyone may connect: privilege is decided per request from
	// SO_PEERCRED, so unprivileged users can still ask for status. The
	// mode comes from the umask at bind (0777 &^ 0111 = 0666), so there is
	// no moment between bind and a chmod with another mode; listen runs at
	// start-up, before anything else creates files.
	old := unix.Umask(0o111)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	unix.Umask(old)
	if err != nil {
		lock.Close()
		return nil, nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(true)
	return ln, func() { ln.Close(); lock.Close() }, nil
}

// checkSocketDir refuses a directory in which another user could replace
// the socket or its lock file: one writable by group or others without the
// sticky bit (which keeps them from removing our entries), or owned by
// someone other than root and us. In a sticky one others may still create
// the lock file first: checkLockFile refuses it.
func checkSocketDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("socket directory %s is not a directory", dir)
	case fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0:
		return fmt.Errorf("socket directory %s (mode %v) is writable by other users: make it 0755", dir, fi.Mode().Perm())
	case ok && !fstrust.Owner(st.Uid):
		return fmt.Errorf("socket directory %s is owned by uid %d, not root", dir, st.Uid)
	}
	return nil
}

// checkLockFile refuses a lock file that another user made. In a sticky
// directory others may write (a --socket under /tmp) anyone can create
// SOCKET.lock before the agent and hold a flock on it, and the agent would
// take that for a running agent (ErrRunning) and never start. As sshd's
// StrictModes does with a file of bad ownership, the agent refuses, naming
// the file, rather than remove it: a remove-and-recreate by path races a
// second agent doing the same, and both could end up "holding" the lock.
// The lock must be a regular file with a single link (not a hard link to
// some other file), owned by root or the agent's user; the fstat is of the
// descriptor opened, so nothing can swap the file between check and lock.
func checkLockFile(f *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("lock file %s: %w", f.Name(), err)
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("lock file %s is not a regular file: remove it", f.Name())
	case !fstrust.Owner(st.Uid):
		return fmt.Errorf("lock file %s is owned by uid %d, neither root nor the agent's user: another user made it; remove it, or put the socket in a directory only root may write", f.Name(), st.Uid)
	case st.Nlink != 1:
		return fmt.Errorf("lock file %s has %d links: remove it", f.Name(), st.Nlink)
	}
	return nil
}
