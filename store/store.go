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
//
// Writes to different files run in parallel (up to maxSyncs fsyncs at
// once) and share their directory fsyncs (see batcher); writes to one file
// are ordered by that file's lock. mu guards only the in-memory state and
// is never held across a write.
type Store struct {
	dir string
	// Corrupt is called with the path a corrupt file was moved to and why.
	Corrupt func(aside string, err error)

	mu     sync.Mutex
	host   *Host                  // cached host record, nil until read
	ifaces map[string]Interface   // cached interface records, nil until read
	files  map[string]*sync.Mutex // one lock per file name
	dirs   map[string]*batcher    // directory fsyncs, shared
	syncs  chan struct{}          // bounds the file fsyncs in flight
}

// Open returns the store in dir, creating the directories it needs.
func Open(dir string) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, leaseDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	return &Store{dir: dir, files: map[string]*sync.Mutex{}, dirs: map[string]*batcher{},
		syncs: make(chan struct{}, maxSyncs)}, nil
}

// Dir returns the state directory.
func (s *Store) Dir() string { return s.dir }

// lockFile takes the lock of the file name and returns its unlock.
func (s *Store) lockFile(name string) func() {
	s.mu.Lock()
	l, ok := s.files[name]
	if !ok {
		l = &sync.Mutex{}
		s.files[name] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// syncDir makes the renames and removals done in dir so far durable,
// sharing the fsync with concurrent writers.
func (s *Store) syncDir(dir string) error {
	s.mu.Lock()
	b, ok := s.dirs[dir]
	if !ok {
		b = newBatcher(func() error { return syncDir(dir) })
		s.dirs[dir] = b
	}
	s.mu.Unlock()
	return b.run()
}

// maxSyncs bounds the file fsyncs in flight: each holds an OS thread.
// Concurrent fsyncs share journal commits, where one after another each
// forces its own.
const maxSyncs = 64

// writeJSON writes v to name atomically: temp file, fsync, rename, fsync
// of the directory. The caller holds the file's lock.
func (s *Store) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	path := filepath.Join(s.dir, name)
	dir := filepath.Dir(path)
	if err := s.replace(path, append(b, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return s.syncDir(dir)
}

// replace puts b in path through a fsynced temporary file and a rename.
func (s *Store) replace(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	s.syncs <- struct{}{}
	err = tmp.Sync()
	<-s.syncs
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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

// remove deletes name; a missing file is fine. The caller holds the
// file's lock.
func (s *Store) remove(name string) error {
	path := filepath.Join(s.dir, name)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return s.syncDir(filepath.Dir(path))
}

// validName keeps interface names from escaping the directory.
func validName(ifname string) error {
	if ifname == "" || len(ifname) > 15 || strings.ContainsAny(ifname, "/\x00 \t\n") || ifname == "." || ifname == ".." {
		return fmt.Errorf("bad interface name %q", ifname)
	}
	return nil
}
