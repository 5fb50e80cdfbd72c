package actors

import (
	"net/netip"
	"os"

	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/lease"
)

// leaseConfig is the lease machine's configuration for link: the file's
// (config.Lease), the IAID the store keeps, and the questions about the
// host's addresses, answered from Env.HostAddrs (memory only).
func leaseConfig(env *Env, link Link) (lease.Config, error) {
	iaid := lease.IAID(link.HWAddr)
	if env.IAID != nil {
		iaid = env.IAID(link)
	}
	c, err := env.Cfg().Lease(config.Link{Name: link.Name, HWAddr: link.HWAddr, MTU: link.MTU,
		IAID: iaid, DUID: env.DUID, Hostname: os.Hostname})
	c.Conflicts = func(a netip.Addr) bool { return env.HostAddrs.Conflicts(link.Index, a) }
	c.HostAddress = env.HostAddrs.Has
	return c, err
}
