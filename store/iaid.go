package store

import (
	"net"

	"github.com/dhcpagent/dhcpagent/lease"
)

// IAID is the IAID (RFC 4361 §6.1) ifname uses: its recorded one, else the
// one derived from hw (lease.IAID). The interface actor records it when
// the interface is first managed: only a managed interface has a lease
// whose client id must not change, even when its hardware address does.
// A record that cannot be read derives it, as for an interface never
// managed.
func (s *Store) IAID(ifname string, hw net.HardwareAddr) uint32 {
	if rec, err := s.Interface(ifname); err == nil && rec.IAID != nil {
		return *rec.IAID
	}
	return lease.IAID(hw)
}
