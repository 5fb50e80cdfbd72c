package agent

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestListenLockSymlinkNotFollowed: a symlink planted at the lock file's
// path makes listen fail; the file it points to is neither created nor
// truncated.
func TestListenLockSymlinkNotFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "agent.sock")
	if err := os.Symlink(target, sock+".lock"); err != nil {
		t.Fatal(err)
	}
	if _, closer, err := listen(sock); err == nil {
		closer()
		t.Fatal("listen followed the symlinked lock file")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Fatalf("the symlink's target was changed: %q", b)
	}
}

// TestListenSocketMode: the socket is born 0666 (umask at bind, no chmod).
func TestListenSocketMode(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	_, closer, err := listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer closer()
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o666 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket %v, %v; want a socket of mode 0666", fi.Mode(), err)
	}
}

// TestListenSocketNotChmodded: nothing changes the socket's mode after
// bind (no IN_ATTRIB on it), so there is no moment in which another mode
// holds, and no chmod by path that a swapped path would redirect (issue
// 12: "the chmod to 0666 races the listen"). The old code's chmod after
// bind fails this test; its final mode was 0666 too.
func TestListenSocketNotChmodded(t *testing.T) {
	dir := t.TempDir()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_ATTRIB|unix.IN_CREATE); err != nil {
		t.Fatal(err)
	}
	_, closer, err := listen(filepath.Join(dir, "agent.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer closer()
	buf := make([]byte, 64*1024)
	n, err := unix.Read(fd, buf) // the events are queued by now
	if err != nil {
		t.Fatalf("no inotify events: %v", err)
	}
	created := false
	for b := buf[:n]; len(b) >= unix.SizeofInotifyEvent; {
		mask := binary.NativeEndian.Uint32(b[4:8])
		nameLen := int(binary.NativeEndian.Uint32(b[12:16]))
		name := string(bytes.TrimRight(b[unix.SizeofInotifyEvent:unix.SizeofInotifyEvent+nameLen], "\x00"))
		b = b[unix.SizeofInotifyEvent+nameLen:]
		if name != "agent.sock" {
			continue
		}
		switch {
		case mask&unix.IN_ATTRIB != 0:
			t.Errorf("the socket's attributes changed after bind (a chmod)")
		case mask&unix.IN_CREATE != 0:
			created = true
		}
	}
	if !created {
		t.Fatal("no IN_CREATE for the socket: the watch saw nothing, so the test proves nothing")
	}
}

// TestListenRefusesInsecureDir: a directory others may write (not sticky)
// is refused with a clear error; a sticky one is accepted.
func TestListenRefusesInsecureDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, _, err := listen(filepath.Join(dir, "agent.sock")); err == nil || !strings.Contains(err.Error(), "writable by other users") {
		t.Fatalf("listen in a 0777 directory: %v, want refused", err)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	_, closer, err := listen(filepath.Join(dir, "agent.sock"))
	if err != nil {
		t.Fatalf("listen in a sticky directory: %v", err)
	}
	closer()
}

// TestListenDirectoryInTheWay: a non-empty directory at the socket path
// is set aside (kept) and the socket made.
func TestListenDirectoryInTheWay(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	if err := os.MkdirAll(filepath.Join(sock, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, closer, err := listen(sock)
	if err != nil {
		t.Fatalf("listen with a directory in the way: %v", err)
	}
	defer closer()
	if aside, _ := filepath.Glob(sock + ".aside-*/sub"); len(aside) != 1 {
		t.Fatalf("the directory was not kept aside: %v", aside)
	}
}

// TestListenRefusesForeignLock: in a sticky directory anyone may write, a
// lock file another user made first (and may hold a flock on) is refused
// with an error naming it, never taken for a running agent (ErrRunning);
// so are a lock that is a hard link to another file and one that is not a
// regular file. The agent's own lock of a previous run is taken again.
func TestListenRefusesForeignLock(t *testing.T) {
	for _, tt := range []struct {
		name  string
		plant func(t *testing.T, lock string)
		want  string
	}{
		{"owned by another user", func(t *testing.T, lock string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to chown the lock to another user")
			}
			if err := os.WriteFile(lock, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(lock, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(lock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 65534"},
		{"a hard link", func(t *testing.T, lock string) {
			other := filepath.Join(filepath.Dir(filepath.Dir(lock)), "other")
			if err := os.WriteFile(other, []byte("keep"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(other, lock); err != nil {
				t.Fatal(err)
			}
		}, "has 2 links"},
		{"a FIFO", func(t *testing.T, lock string) {
			if err := unix.Mkfifo(lock, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tmp")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			sock := filepath.Join(dir, "agent.sock")
			tt.plant(t, sock+".lock")
			_, closer, err := listen(sock)
			if err == nil {
				closer()
				t.Fatal("listen took the planted lock file")
			}
			if errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), sock+".lock") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("listen: %v; want an error naming %s.lock, %q, not ErrRunning", err, sock, tt.want)
			}
		})
	}
	t.Run("the agent's own, left by a previous run", func(t *testing.T) {
		sock := filepath.Join(t.TempDir(), "agent.sock")
		_, closer, err := listen(sock)
		if err != nil {
			t.Fatal(err)
		}
		closer()
		if _, err := os.Stat(sock + ".lock"); err != nil {
			t.Fatalf("no lock file left: %v", err)
		}
		_, closer, err = listen(sock)
		if err != nil {
			t.Fatalf("listen again over its own lock file: %v", err)
		}
		closer()
	})
}
