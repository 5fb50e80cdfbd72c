package actors

import (
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/store"
)

// This file has the real IAID source, which agent.Run wires with the
// sockets, the store and the hook runner (the real clock and link lookups
// are the agent's).

// StoredIAID returns the IAID source the agent uses: the interface's
// recorded IAID, else one derived from its MAC. The interface actor records
// it when the interface is first managed (iface.manage): only a managed
// interface has a lease whose client id must not change.
func StoredIAID(st *store.Store) func(Link) uint32 {
	return func(l Link) uint32 {
		if rec, err := st.Interface(l.Name); err == nil && rec.IAID != nil {
			return *rec.IAID
		}
		return lease.IAID(l.HWAddr)
	}
}
