package store

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Problem is something wrong the store found in the state dir, or a write
// it could not make. The agent runs on and says so: in the log (the
// store's Warn) and in status (Problems).
type Problem struct {
	Time time.Time
	// Kind classifies it, for the counters (Counts); "" for the news that
	// writes succeed again.
	Kind string
	// File is the entry concerned, relative to the state dir ("" for the
	// directory itself).
	File string
	// Ifname is the interface whose record File is; "" for a host-wide
	// file.
	Ifname string
	// Aside is where File was moved (relative to the state dir); "" when
	// it was not moved.
	Aside  string
	Reason string
}

// The kinds of problem, the label of the dhcpagent_state_problems_total
// counter: keep them stable.
const (
	KindSetAside   = "set_aside"    // an entry rejected and renamed aside
	KindUnreadable = "unreadable"   // a record or directory that could not be read
	KindWriteFail  = "write_failed" // a write that failed (each one counted)
	KindUnwritable = "unwritable"   // the dir or a subdirectory that cannot be made or cleaned
	KindRecovered  = "recovered"    // an interface record remade from its lease record
	numKinds       = 5
)

// Kinds lists every kind, for exporting them all from the start.
var Kinds = [numKinds]string{KindSetAside, KindUnreadable, KindWriteFail, KindUnwritable, KindRecovered}

// Counts returns how many problems of each kind the store met since it
// was opened (every one of Kinds present).
func (s *Store) Counts() map[string]uint64 {
	s.probMu.Lock()
	defer s.probMu.Unlock()
	out := make(map[string]uint64, numKinds)
	for i, k := range Kinds {
		out[k] = s.counts[i]
	}
	return out
}

// count adds one problem of kind; the caller holds probMu.
func (s *Store) count(kind string) {
	if i := slices.Index(Kinds[:], kind); i >= 0 {
		s.counts[i]++
	}
}

// Bounds of what the store remembers: the latest problems of each
// interface and of the host, and how many interfaces it remembers them
// for (interface names come from the directory and from validated
// commands, but memory stays bounded whatever they are).
const (
	keepPerIface = 4
	keepHost     = 8
	keepIfaces   = 4096
)

// recordIfname is the interface a record path belongs to: leases/NAME.json
// and interfaces/NAME.json (and their temporary files) are NAME's.
func recordIfname(file string) string {
	dir, base := filepath.Split(file)
	if dir != leaseDir+"/" && dir != ifDir+"/" {
		return ""
	}
	base = strings.TrimPrefix(base, ".")
	name, _, _ := strings.Cut(base, ".json")
	if validName(name) != nil {
		return ""
	}
	return name
}

// report remembers p and hands it to Warn.
func (s *Store) report(p Problem) {
	if p.Time.IsZero() {
		p.Time = s.now()
	}
	if p.Ifname == "" {
		p.Ifname = recordIfname(p.File)
	}
	s.probMu.Lock()
	if p.Kind != KindWriteFail { // wrote counts every failing write
		s.count(p.Kind)
	}
	if p.Ifname == "" {
		s.hostProbs = keepLast(s.hostProbs, p, keepHost)
	} else if _, ok := s.ifProbs[p.Ifname]; ok || len(s.ifProbs) < keepIfaces {
		s.ifProbs[p.Ifname] = keepLast(s.ifProbs[p.Ifname], p, keepPerIface)
	}
	warn := s.warn
	s.probMu.Unlock()
	if warn != nil {
		warn(p)
	}
}

// rootCause is the innermost error's text: ENOSPC or EROFS, whatever the
// file.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func keepLast(ps []Problem, p Problem, n int) []Problem {
	ps = append(ps, p)
	if len(ps) > n {
		ps = slices.Delete(ps, 0, len(ps)-n)
	}
	return ps
}

// wrote notes the outcome of a write: a failure is reported and kept as
// the store's condition until a write succeeds again (a full or read-only
// disk: the agent runs on, its records are not kept meanwhile).
func (s *Store) wrote(name string, err error) {
	s.probMu.Lock()
	failing := s.writeErr != nil
	if err == nil {
		s.writeErr = nil
		s.probMu.Unlock()
		if failing {
			s.report(Problem{File: name, Reason: "writes succeed again"})
		}
		return
	}
	s.count(KindWriteFail)
	p := Problem{Time: s.now(), Kind: KindWriteFail, File: name, Reason: "cannot write the state dir (records are not kept until it can): " + err.Error()}
	// One report when writes start failing, or fail in a new way: a full
	// disk under a thousand renewals is one warning, not a thousand.
	again := failing && s.writeCause == rootCause(err)
	if !again {
		s.writeErr, s.writeCause = &p, rootCause(err)
	}
	s.probMu.Unlock()
	if !again {
		s.report(p)
	}
}

// Problems returns what is wrong for ifname, oldest first: the latest
// problems found with its records, the host-wide ones, and the failing
// writes, if writes are failing now. ifname "" returns the host-wide ones
// only.
func (s *Store) Problems(ifname string) []Problem {
	s.probMu.Lock()
	defer s.probMu.Unlock()
	out := slices.Clone(s.hostProbs)
	if ifname != "" {
		out = append(out, s.ifProbs[ifname]...)
	}
	if s.writeErr != nil && !slices.Contains(out, *s.writeErr) {
		out = append(out, *s.writeErr)
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return a.Time.Compare(b.Time) })
	return out
}
