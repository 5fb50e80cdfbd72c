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
	dir   string
	clock func() time.Time // nil: time.Now

	mu     sync.Mutex
	host   *Host                // cached host record, nil until read
	ifaces map[string]Interface // cached interface records, nil until read
	dirty  map[string]bool      // records whose last write failed
	// recovered are interface records remade from a lease record, to be
	// written (Managed).
	recovered []string
	files     map[string]*sync.Mutex // one lock per file name
	dirs      map[string]*batcher    // directory fsyncs, shared
	syncs     chan struct{}          // bounds the file fsyncs in flight

	probMu     sync.Mutex
	warn       func(Problem)
	hostProbs  []Problem
	ifProbs    map[string][]Problem
	writeErr   *Problem // the failing writes' problem, nil while writes succeed
	writeCause string   // its root cause, to report a new one
	counts     [numKinds]uint64
}

// Open returns the store in dir, creating the directories it needs. It
// refuses a directory another user could write or owns (SPEC §7): its
// records could make the agent install anything. Everything else is
// repaired or reported, never fatal: an entry of the wrong type in the
// way of a subdirectory is set aside, the temporary files of writes a
// kill -9 interrupted are removed, and a directory that cannot be written
// (read-only, full) is used as it is, its writes failing and reported.
// warn, when not nil, is told of every problem as it is found.
func Open(dir string, warn func(Problem)) (*Store, error) {
	s := &Store{dir: dir, files: map[string]*sync.Mutex{}, dirs: map[string]*batcher{},
		dirty: map[string]bool{}, syncs: make(chan struct{}, maxSyncs),
		warn: warn, ifProbs: map[string][]Problem{}}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		if _, serr := os.Stat(dir); serr != nil {
			// Nothing to read and nowhere to write: the agent runs from
			// memory and says so.
			s.report(Problem{Kind: KindUnwritable, Reason: "state directory unusable (records are not kept): " + err.Error()})
			return s, nil
		}
	}
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("refusing the state directory: %w", err)
	}
	for _, sub := range []string{leaseDir, ifDir} {
		if err := s.ensureDir(sub); err != nil {
			s.report(Problem{Kind: KindUnwritable, File: sub, Reason: "cannot make the directory (its records are not kept): " + err.Error()})
		}
	}
	for _, sub := range []string{".", leaseDir, ifDir} {
		s.sweep(sub)
	}
	return s, nil
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
// of the directory. The caller holds the file's lock. The outcome is
// noted (wrote): failing writes are the store's reported condition.
func (s *Store) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	err = s.write(name, append(b, '\n'))
	s.wrote(name, err)
	return err
}

func (s *Store) write(name string, b []byte) error {
	path := filepath.Join(s.dir, name)
	dir := filepath.Dir(path)
	if sub := filepath.Dir(name); sub != "." {
		// Made again if it went away, or set aside if something else
		// took its place, since Open.
		if err := s.ensureDir(sub); err != nil {
			return fmt.Errorf("state directory: %w", err)
		}
	}
	// A directory where the record goes would fail every rename (a link
	// or a FIFO is replaced by it): set it aside, as a read would.
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		s.setAside(name, errors.New("a directory, not a regular file"))
	}
	if err := s.replace(path, b); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return s.syncDir(dir)
}

// replace puts b in path through a fsynced temporary file and a rename.
func (s *Store) replace(path string, b []byte) error {
	tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+tmpMark+"*")
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

// createTemp makes the temporary file of a write; a test makes it fail as
// a read-only or full disk would (root writes a 0500 directory all the
// same).
var createTemp = os.CreateTemp

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

// readRecord reads name, at most limit bytes, and hands it to decode. It
// reports whether there was a record: a missing file is none; so is a file
// that is not a regular file of ours within the limit (readFile), or that
// decode rejects: it is set aside and reported. A file that cannot be read
// at all is reported and taken as none: the agent runs on without it.
func (s *Store) readRecord(name string, limit int64, decode func([]byte) error) bool {
	b, found, err := s.readFile(name, limit)
	if !found {
		return false
	}
	var aside errAside
	switch {
	case errors.As(err, &aside):
		s.setAside(name, aside.reason)
		return false
	case err != nil:
		s.report(Problem{Kind: KindUnreadable, File: name, Reason: "cannot read the record, taken as absent: " + err.Error()})
		return false
	}
	if bad := decode(b); bad != nil {
		s.setAside(name, bad)
		return false
	}
	return true
}

// remove deletes name; a missing file is fine. The caller holds the
// file's lock.
func (s *Store) remove(name string) error {
	path := filepath.Join(s.dir, name)
	err := os.Remove(path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		err = s.syncDir(filepath.Dir(path))
	} else {
		err = fmt.Errorf("remove %s: %w", name, err)
	}
	s.wrote(name, err)
	return err
}

// validName keeps interface names from escaping the directory.
func validName(ifname string) error {
	if ifname == "" || len(ifname) > 15 || strings.ContainsAny(ifname, "/\x00 \t\n") || ifname == "." || ifname == ".." {
		return fmt.Errorf("bad interface name %q", ifname)
	}
	return nil
}
