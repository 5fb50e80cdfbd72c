package store

import "github.com/dhcpagent/dhcpagent/ipadm"

const ipadmFile = "ipadm.json"

// LoadIPAdm reads the persistent interface and address objects; an empty
// configuration when there is none or the file was corrupt (set aside).
func (s *Store) LoadIPAdm() (*ipadm.Config, error) {
	defer s.lockFile(ipadmFile)()
	c := ipadm.NewConfig()
	ok, err := s.readJSON(ipadmFile, c, c.Validate)
	if err != nil {
		return nil, err
	}
	if !ok {
		c = ipadm.NewConfig()
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
