package store

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Host is the host-wide record: the DUID (RFC 8415 §11), kept so that
// client identifiers never change, and the primary interface.
type Host struct {
	DUID    string `json:"duid"`
	Primary string `json:"primary,omitempty"`
}

// DUIDBytes returns the DUID as bytes; nil when none is recorded.
func (h *Host) DUIDBytes() []byte {
	b, _ := hex.DecodeString(h.DUID)
	return b
}

// Interface is the record of one interface: its IAID (RFC 4361), kept
// stable even if its MAC changes, and whether it is under management,
// to be resumed when the agent starts. One small file per interface keeps
// a start among a thousand a write of a few bytes.
type Interface struct {
	Ifname  string  `json:"ifname"`
	IAID    *uint32 `json:"iaid,omitempty"`
	Managed bool    `json:"managed"`
}

const (
	hostFile = "host.json"
	ifDir    = "interfaces"
)

func ifFile(name string) string { return filepath.Join(ifDir, name+".json") }

// LoadHost returns the host record; an empty one when there is none.
func (s *Store) LoadHost() (*Host, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadHost(); err != nil {
		return nil, err
	}
	h := *s.host
	return &h, nil
}

func (s *Store) loadHost() error {
	if s.host != nil {
		return nil
	}
	var h Host
	ok, err := s.readJSON(hostFile, &h, func() error {
		if _, err := hex.DecodeString(h.DUID); err != nil {
			return errors.New("duid is not hex")
		}
		if h.Primary != "" {
			return validName(h.Primary)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !ok {
		h = Host{}
	}
	s.host = &h
	return nil
}

// UpdateHost lets f change the host record and writes it when it changed.
func (s *Store) UpdateHost(f func(*Host)) error {
	defer s.lockFile(hostFile)()
	s.mu.Lock()
	if err := s.loadHost(); err != nil {
		s.mu.Unlock()
		return err
	}
	old := *s.host
	s.mu.Unlock()
	h := old
	f(&h)
	if h == old {
		return nil
	}
	if err := s.writeJSON(hostFile, &h); err != nil {
		return err
	}
	s.mu.Lock()
	s.host = &h
	s.mu.Unlock()
	return nil
}

// loadInterfaces reads every interface record once; later reads come from
// memory, since this store is the only writer.
func (s *Store) loadInterfaces() error {
	if s.ifaces != nil {
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, ifDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", ifDir, err)
	}
	s.ifaces = map[string]Interface{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || validName(name) != nil {
			continue
		}
		var rec Interface
		found, err := s.readJSON(ifFile(name), &rec, func() error {
			if rec.Ifname != name {
				return fmt.Errorf("record names %q", rec.Ifname)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if found {
			s.ifaces[name] = rec
		}
	}
	return nil
}

// Interface returns the record of ifname; a new one when there is none.
func (s *Store) Interface(ifname string) (Interface, error) {
	if err := validName(ifname); err != nil {
		return Interface{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadInterfaces(); err != nil {
		return Interface{}, err
	}
	rec, ok := s.ifaces[ifname]
	if !ok {
		rec = Interface{Ifname: ifname}
	}
	return rec, nil
}

// UpdateInterface lets f change the record of ifname and writes it when it
// changed. Records of different interfaces are written in parallel.
func (s *Store) UpdateInterface(ifname string, f func(*Interface)) error {
	if err := validName(ifname); err != nil {
		return err
	}
	defer s.lockFile(ifFile(ifname))()
	s.mu.Lock()
	if err := s.loadInterfaces(); err != nil {
		s.mu.Unlock()
		return err
	}
	old, ok := s.ifaces[ifname]
	s.mu.Unlock()
	if !ok {
		old = Interface{Ifname: ifname}
	}
	rec := old
	if old.IAID != nil {
		v := *old.IAID
		rec.IAID = &v
	}
	f(&rec)
	rec.Ifname = ifname
	if ok && rec.Managed == old.Managed && (rec.IAID == nil) == (old.IAID == nil) &&
		(rec.IAID == nil || *rec.IAID == *old.IAID) {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(s.dir, ifDir), 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := s.writeJSON(ifFile(ifname), &rec); err != nil {
		return err
	}
	s.mu.Lock()
	s.ifaces[ifname] = rec
	s.mu.Unlock()
	return nil
}

// Managed lists the interfaces under management, sorted.
func (s *Store) Managed() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadInterfaces(); err != nil {
		return nil, err
	}
	var out []string
	for name, rec := range s.ifaces {
		if rec.Managed {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}
