package actors

import "github.com/dhcpagent/dhcpagent/messages"

// status reports the interface as status shows it (SPEC §3).
func (a *iface) status() messages.IfStatus {
	st := messages.StatusOf(a.link.Name, a.m.Status(), a.inc.primary, a.m.Refusals(),
		storeWarnings(a.env.Store, a.link.Name))
	// its lease still being applied, or its record read
	st.Busy = st.Busy || a.waits.Busy() || a.inc.record.Closed()
	return st
}

// storeWarnings are the state dir's problems that concern ifname (its
// records, and the host-wide ones), as status shows them: a read of the
// store's memory, never of the disk.
func storeWarnings(st Store, ifname string) []messages.Warning {
	if st == nil {
		return nil
	}
	return messages.Warnings(st.Problems(ifname))
}
