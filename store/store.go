package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Store is the state directory. Its methods are safe for concurrent use.
type Store struct {
	dir string
	// Corrupt is called with the path a corrupt file was moved to and why.
	Corrupt func(aside string, err error)

	mu     sync.Mutex
	host   *Host                // cached host record, nil until read
	ifaces map[string]Interface // cached interface records, nil until read
}

// Open returns the store in dir, creating the directories it needs.
func Open(dir string) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, leaseDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	return &Store{dir: dir}, nil
}

// Dir returns the state directory.
func (s *Store) Dir() string { return s.dir }

// writeJSON writes v to name atomically: temp file, fsync, rename, fsync
// of the directory.
func (s *Store) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	path := filepath.Join(s.dir, name)
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", name, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// readJSON reads name into v. A missing file reports ok == false; a file
// that does not parse, or that check rejects, is set aside and reported
// as missing.
func (s *Store) readJSON(name string, v any, check func() error) (ok bool, err error) {
	path := filepath.Join(s.dir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", name, err)
	}
	bad := json.Unmarshal(b, v)
	if bad == nil && check != nil {
		bad = check()
	}
	if bad == nil {
		return true, nil
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405.000000000"))
	if err := os.Rename(path, aside); err != nil {
		return false, fmt.Errorf("set aside corrupt %s: %w", name, err)
	}
	if s.Corrupt != nil {
		s.Corrupt(aside, bad)
	}
	return false, nil
}

// remove deletes name; a missing file is fine.
func (s *Store) remove(name string) error {
	path := filepath.Join(s.dir, name)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return syncDir(filepath.Dir(path))
}

// validName keeps interface names from escaping the directory.
func validName(ifname string) error {
	if ifname == "" || len(ifname) > 15 || strings.ContainsAny(ifname, "/\x00 \t\n") || ifname == "." || ifname == ".." {
		return fmt.Errorf("bad interface name %q", ifname)
	}
	return nil
}
