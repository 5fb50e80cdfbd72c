package actors

import (
	"github.com/dhcpagent/dhcpagent/store"
)

// This file has the real IAID source, which agent.Run wires with the
// sockets, the store and the hook runner (the real clock and link lookups
// are the agent's).

// StoredIAID returns the IAID source the agent uses: the interface's
// recorded IAID, else one derived from its MAC (store.Store.IAID).
func StoredIAID(st *store.Store) func(Link) uint32 {
	return func(l Link) uint32 { return st.IAID(l.Name, l.HWAddr) }
}
