// Package regfile reads a file others may have put in place (the
// configuration, /etc/machine-id, RESOLV_CONF and the copy of it the agent
// keeps) only when it is a regular file of bounded size, and never blocks
// doing so: a FIFO put in its place would hold the reader until a writer
// came, a device (/dev/zero) would never end, a directory is no content.
// Symbolic links are followed: an operator linking a file into place is
// normal; what they name is what is checked. The null device is the one
// device taken, as empty content: `--config /dev/null` is the usual way to
// say "no configuration" (dnsmasq's --conf-file=/dev/null), and reading it
// can neither block nor run on.
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
	fi, err := os.Stat(path)
	if err != nil {
		return nil, bare(err)
	}
	if isNull(fi) {
		return []byte{}, nil // not opened: nothing to read
	}
	if err := regular(fi, limit); err != nil {
		return nil, err
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, bare(err)
	}
	if err := regular(fi, limit); err != nil {
		return nil, err
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
	m := fi.Mode()
	switch {
	case m.IsRegular() && fi.Size() > limit:
		return fmt.Errorf("%d bytes, over the limit of %d: not read", fi.Size(), limit)
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("a directory, not a regular file: not read")
	case m&os.ModeNamedPipe != 0:
		return errors.New("a FIFO, not a regular file: not read")
	case m&os.ModeDevice != 0:
		return errors.New("a device, not a regular file: not read")
	case m&os.ModeSocket != 0:
		return errors.New("a socket, not a regular file: not read")
	}
	return fmt.Errorf("not a regular file (%v): not read", m.Type())
}
