// Package regfile reads a file others may have put in place (the
// configuration, /etc/machine-id, RESOLV_CONF and the copy of it the agent
// keeps), and rewrites one in place (RESOLV_CONF when it is a bind mount),
// only when it is a regular file of bounded size, and never blocks doing
// so: a FIFO put in its place would hold the reader until a writer came
// (and the writer until a reader came), a device (/dev/zero) would never
// end, a directory is no content.
// Symbolic links are followed by Read and OpenWrite: an operator linking a
// file into place is normal; what they name is what is checked. ReadNoFollow
// is for the agent's own files, in a directory no one else can write: a
// link there was planted, not made by an operator, and is refused. The null
// device is the one device Read takes, as empty content: `--config
// /dev/null` is the usual way to say "no configuration" (dnsmasq's
// --conf-file=/dev/null), and reading it can neither block nor run on.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Read returns the content of the regular file at path, following
// symbolic links, if it has at most limit bytes. What is not a regular
// file is refused from its stat, so that a device is not even opened
// (opening some has effects); the open is non-blocking (a FIFO put in the
// file's place since the stat does not wait for a writer) and the opened
// descriptor is checked again, so that what is read is what was checked;
// a file that grows past limit while read is refused too. A missing file
// is an error wrapping os.ErrNotExist. Errors do not name path (the
// caller does): "a FIFO, not a regular file: not read".
func Read(path string, limit int64) ([]byte, error) {
	return read(path, limit, os.Stat, 0)
}

// ReadNoFollow is Read for a file the agent wrote itself in a directory
// only it may write (the saved copy of RESOLV_CONF in the state dir): a
// symbolic link at path is refused, not followed ("a symbolic link, not
// followed: not read"), as the store reads its records. Whoever planted
// it could otherwise make the agent take the content of any file as its
// own.
func ReadNoFollow(path string, limit int64) ([]byte, error) {
	return read(path, limit, os.Lstat, unix.O_NOFOLLOW)
}

func read(path string, limit int64, stat func(string) (os.FileInfo, error), flags int) ([]byte, error) {
	fi, err := stat(path)
	if err != nil {
		return nil, bare(err)
	}
	if isNull(fi) {
		return []byte{}, nil // not opened: nothing to read
	}
	if err := regular(fi, limit); err != nil {
		return nil, fmt.Errorf("%w: not read", err)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC|flags, 0)
	if errors.Is(err, unix.ELOOP) && flags&unix.O_NOFOLLOW != 0 {
		return nil, errors.New("a symbolic link, not followed: not read") // put there since the stat
	}
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, bare(err)
	}
	if err := regular(fi, limit); err != nil {
		return nil, fmt.Errorf("%w: not read", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, bare(err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("grew past the limit of %d bytes while read: not read", limit)
	}
	return b, nil
}

// OpenWrite opens the regular file at path, following symbolic links, for
// writing in place, by the rules of Read: what is not a regular file is
// refused from its stat (a device is not opened, the null device neither),
// the open is non-blocking (opening a FIFO for writing waits for a reader
// for ever; O_NONBLOCK makes it fail with ENXIO instead, and has no effect
// on a regular file) and the descriptor is checked again (a FIFO that has
// a reader opens at once). Nothing is truncated: the caller does that once
// it has the file. Errors do not name path: "a FIFO, not a regular file:
// not written".
func OpenWrite(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, bare(err)
	}
	if err := Kind(fi); err != nil {
		return nil, fmt.Errorf("%w: not written", err)
	}
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENXIO) {
		// A FIFO with no reader, or a device, put there since the stat.
		return nil, errors.New("a FIFO or a device, not a regular file: not written")
	}
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, bare(err)
	}
	if err := Kind(fi); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: not written", err)
	}
	return f, nil
}

// bare drops the path from err: "stat: permission denied".
func bare(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// isNull reports whether fi is the null device (character device 1:3 on
// Linux, devices.txt), whatever its name.
func isNull(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && fi.Mode()&os.ModeCharDevice != 0 && st.Rdev == unix.Mkdev(1, 3)
}

// regular refuses fi unless it is a regular file of at most limit bytes.
func regular(fi os.FileInfo, limit int64) error {
	if err := Kind(fi); err != nil {
		return err
	}
	if fi.Size() > limit {
		return fmt.Errorf("%d bytes, over the limit of %d", fi.Size(), limit)
	}
	return nil
}

// Kind refuses fi unless it is a regular file, saying what it is: "a
// FIFO, not a regular file". Read and OpenWrite refuse by it; a writer
// that replaces a file rather than open it (a rename) needs the reason but
// not the open.
func Kind(fi os.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("a directory, not a regular file")
	case m&os.ModeSymlink != 0:
		return errors.New("a symbolic link, not followed")
	case m&os.ModeNamedPipe != 0:
		return errors.New("a FIFO, not a regular file")
	case m&os.ModeDevice != 0:
		return errors.New("a device, not a regular file")
	case m&os.ModeSocket != 0:
		return errors.New("a socket, not a regular file")
	}
	return fmt.Errorf("not a regular file (%v)", m.Type())
}
