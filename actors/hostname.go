package actors

import "github.com/dhcpagent/dhcpagent/kernel"

// HostNamer sets the kernel host name for one interface at a time
// (hostname.Keeper); the interface's kernel worker calls it.
type HostNamer = kernel.HostNamer

// planHostname is the host name the interface is to hold: option 12 of
// the primary interface's lease when SET_HOSTNAME=yes (SPEC §2); "" for
// any other interface, or a primary whose lease names no host, which
// gives a name it had set back.
func (a *iface) planHostname(name string) string {
	if !a.inc.primary || !a.env.Cfg().Bool(a.link.Name, "SET_HOSTNAME") {
		return ""
	}
	return name
}
