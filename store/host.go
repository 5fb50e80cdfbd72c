package store

import (
	"encoding/hex"
	"errors"
	"slices"
)

// Host is the host-wide state: the DUID (RFC 8415 §11) and IAID of each
// interface (RFC 4361), kept so that client identifiers never change, and
// the interfaces under management, resumed when the agent starts.
type Host struct {
	DUID    string            `json:"duid"`
	IAIDs   map[string]uint32 `json:"iaids"`
	Managed []string          `json:"managed"`
	Primary string            `json:"primary,omitempty"`
}

const hostFile = "host.json"

// LoadHost reads the host record; an empty one when there is none.
func (s *Store) LoadHost() (*Host, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadHost()
}

func (s *Store) loadHost() (*Host, error) {
	var h Host
	ok, err := s.readJSON(hostFile, &h, func() error {
		if _, err := hex.DecodeString(h.DUID); err != nil {
			return errors.New("duid is not hex")
		}
		for _, n := range h.Managed {
			if err := validName(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		h = Host{}
	}
	if h.IAIDs == nil {
		h.IAIDs = map[string]uint32{}
	}
	return &h, nil
}

// UpdateHost reads the host record, lets f change it and writes it back,
// as one step.
func (s *Store) UpdateHost(f func(*Host)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.loadHost()
	if err != nil {
		return err
	}
	f(h)
	slices.Sort(h.Managed)
	h.Managed = slices.Compact(h.Managed)
	return s.writeJSON(hostFile, h)
}

// DUIDBytes returns the DUID as bytes; nil when none is recorded.
func (h *Host) DUIDBytes() []byte {
	b, _ := hex.DecodeString(h.DUID)
	return b
}
