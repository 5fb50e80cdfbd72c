package store

import (
	"encoding/json"

	"github.com/dhcpagent/dhcpagent/ipadm"
)

const ipadmFile = "ipadm.json"

// LoadIPAdm reads the persistent interface and address objects; an empty
// configuration when there is none or the file was corrupt (set aside).
func (s *Store) LoadIPAdm() (*ipadm.Config, error) {
	defer s.lockFile(ipadmFile)()
	var c *ipadm.Config
	if !s.readRecord(ipadmFile, maxIPAdm, func(b []byte) (err error) { c, err = decodeIPAdm(b); return err }) {
		c = ipadm.NewConfig()
	}
	return c, nil
}

// decodeIPAdm parses and validates the persistent objects.
func decodeIPAdm(b []byte) (*ipadm.Config, error) {
	c := ipadm.NewConfig()
	if err := json.Unmarshal(b, c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Interfaces == nil {
		c.Interfaces = map[string]ipadm.Interface{}
	}
	if c.Addresses == nil {
		c.Addresses = map[string]ipadm.Address{}
	}
	return c, nil
}

// SaveIPAdm writes the persistent objects, atomically.
func (s *Store) SaveIPAdm(c *ipadm.Config) error {
	defer s.lockFile(ipadmFile)()
	return s.writeJSON(ipadmFile, c)
}
