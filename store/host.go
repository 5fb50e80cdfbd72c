package store

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dhcpagent/dhcpagent/ipadm"
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
	if !s.readRecord(hostFile, maxSmall, func(b []byte) (err error) { h, err = decodeHost(b); return err }) {
		h = Host{}
	}
	s.host = &h
	return nil
}

// decodeHost parses and checks a host record.
func decodeHost(b []byte) (Host, error) {
	var h Host
	if err := json.Unmarshal(b, &h); err != nil {
		return Host{}, err
	}
	if _, err := hex.DecodeString(h.DUID); err != nil {
		return Host{}, errors.New("duid is not hex")
	}
	if h.Primary != "" {
		if err := validName(h.Primary); err != nil {
			return Host{}, err
		}
	}
	return h, nil
}

// decodeInterface parses and checks the interface record of name.
func decodeInterface(name string, b []byte) (Interface, error) {
	var rec Interface
	if err := json.Unmarshal(b, &rec); err != nil {
		return Interface{}, err
	}
	if rec.Ifname != name {
		return Interface{}, fmt.Errorf("record names %q", rec.Ifname)
	}
	return rec, nil
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
	return s.commit(hostFile, h == old, &h, func() { s.host = &h })
}

// commit writes the record v to name unless it is unchanged and its last
// write did not fail, and keeps it in memory (set, under mu) even when the
// write fails: the agent goes on with what it decided, and the next change
// writes it out once the disk takes writes again. The caller holds the
// file's lock.
func (s *Store) commit(name string, unchanged bool, v any, set func()) error {
	s.mu.Lock()
	dirty := s.dirty[name]
	s.mu.Unlock()
	if unchanged && !dirty {
		return nil
	}
	err := s.writeJSON(name, v)
	s.mu.Lock()
	set()
	if err != nil {
		s.dirty[name] = true
	} else {
		delete(s.dirty, name)
	}
	s.mu.Unlock()
	return err
}

// loadInterfaces reads every interface record once; later reads come from
// memory, since this store is the only writer.
//
// A record that had to be set aside leaves its interface's intent
// unknown; when the interface has a lease record, it was under
// management when the lease was written, and it is taken as managed
// still, so that a damaged interface record never costs a valid lease
// (SPEC §1: a corrupt file is never fatal). Its IAID is lost with the
// record and derived from the MAC again, as it was first.
func (s *Store) loadInterfaces() error {
	if s.ifaces != nil {
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, ifDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		s.report(Problem{Kind: KindUnreadable, File: ifDir, Reason: "cannot list the interface records, taken as none: " + err.Error()})
	}
	s.ifaces = map[string]Interface{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || validName(name) != nil {
			continue
		}
		var rec Interface
		found := s.readRecord(ifFile(name), maxSmall, func(b []byte) (err error) {
			rec, err = decodeInterface(name, b)
			return err
		})
		switch {
		case found:
			s.ifaces[name] = rec
		case s.hasLease(name):
			s.ifaces[name] = Interface{Ifname: name, Managed: true}
			s.dirty[ifFile(name)] = true // written again by Managed
			s.recovered = append(s.recovered, name)
			s.report(Problem{Kind: KindRecovered, File: ifFile(name), Reason: "interface record lost; the interface has a lease record, so it is resumed as managed"})
		}
	}
	return nil
}

// hasLease reports whether ifname has a lease record file (not whether it
// is valid: LoadLease decides that when the interface resumes).
func (s *Store) hasLease(ifname string) bool {
	fi, err := os.Lstat(filepath.Join(s.dir, leaseFile(ifname)))
	return err == nil && fi.Mode().IsRegular()
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
	unchanged := ok && rec.Managed == old.Managed && (rec.IAID == nil) == (old.IAID == nil) &&
		(rec.IAID == nil || *rec.IAID == *old.IAID)
	return s.commit(ifFile(ifname), unchanged, &rec, func() { s.ifaces[ifname] = rec })
}

// Managed lists the interfaces under management, sorted.
//
// A record recovered from a lease (loadInterfaces) is written out here,
// once, outside mu: the agent lists the managed interfaces when it starts.
func (s *Store) Managed() ([]string, error) {
	s.mu.Lock()
	if err := s.loadInterfaces(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var out []string
	for name, rec := range s.ifaces {
		if rec.Managed {
			out = append(out, name)
		}
	}
	recovered := s.recovered
	s.recovered = nil
	s.mu.Unlock()
	slices.Sort(out)
	for _, name := range recovered {
		// Marked dirty: written though unchanged. A failure is the
		// store's reported condition; the next update tries again.
		_ = s.UpdateInterface(name, func(*Interface) {})
	}
	return out, nil
}

// Startup is what the store says at start-up of the interfaces to
// resume (SPEC §2: no start command is needed again).
type Startup struct {
	Primary string   // the stored primary interface, if among Managed
	Managed []string // the interfaces under management, sorted
	// Owned reports whether an interface is started by its persistent
	// DHCP address object instead (ipadm.Config.StartsDHCP): the admin
	// actor starts it, with the object's host name and primary flag, and
	// a second start would race it and any disable-if after it. Never nil.
	Owned func(ifname string) bool
}

// StartupRecords is what ReadStartup reads: a *Store.
type StartupRecords interface {
	LoadHost() (*Host, error)
	Managed() ([]string, error)
	LoadIPAdm() (*ipadm.Config, error)
}

// ReadStartup reads the host record, the interfaces under management
// (Store.Managed writes back, with fsync, the records it rebuilt) and
// ipadm.json: disk work, not for an actor's Receive. An error reading the
// first two is returned; a corrupt ipadm.json is set aside (LoadIPAdm)
// and owns no interface.
func ReadStartup(st StartupRecords) (*Startup, error) {
	s := &Startup{Owned: func(string) bool { return false }}
	h, err := st.LoadHost()
	if err == nil {
		s.Managed, err = st.Managed()
	}
	if err == nil && slices.Contains(s.Managed, h.Primary) {
		// A primary not under management is nobody's: one a temporary
		// start made primary (start --primary answered RUNNING records
		// it) is gone after a restart, as its interface is (SPEC §4 -t).
		s.Primary = h.Primary
	}
	if c, err := st.LoadIPAdm(); err == nil {
		s.Owned = c.StartsDHCP
	}
	return s, err
}
