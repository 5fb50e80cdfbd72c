package actors

import (
	"net/netip"
	"os"

	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/lease"
)

// leaseConfig is the lease machine's configuration for link: the file's
// (config.Lease), the IAID the store keeps, and the conflict check.
func leaseConfig(env *Env, link Link) (lease.Config, error) {
	iaid := lease.IAID(link.HWAddr)
	if env.IAID != nil {
		iaid = env.IAID(link)
	}
	c, err := env.Cfg().Lease(config.Link{Name: link.Name, HWAddr: link.HWAddr, MTU: link.MTU,
		IAID: iaid, DUID: env.DUID, Hostname: os.Hostname})
	c.Conflicts = conflicts(env, link.Index)
	c.HostAddress = hostAddress(env)
	return c, err
}

// conflicts reports an offered address the host cannot take for this
// interface (SPEC §2): one that another interface already has (the kernel
// would answer for it on both), or one inside a network of an interface
// the agent does not manage (two links would claim one subnet). A subnet
// that another managed interface uses is fine: a server with several ports
// on one VLAN leases each its own address there. The manager registers
// every stored interface before any resumes (manager.resume), so at
// restart no interface's lease stands in another's way.
func conflicts(env *Env, ifindex int) func(netip.Addr) bool {
	return func(a netip.Addr) bool {
		for _, ia := range env.HostAddrs.List() {
			if ia.Ifindex == ifindex || ia.Prefix.Addr().IsLoopback() {
				continue
			}
			if ia.Prefix.Addr() == a || (ia.Prefix.Masked().Contains(a) && !env.managed.has(ia.Ifindex)) {
				return true
			}
		}
		return false
	}
}

// hostAddress reports an address the host has on any of its interfaces
// (this one's other addresses included): a lease's route through one is
// left out (SPEC §2: the gateway must be usable), where the kernel would
// refuse it. It reads the conflict check's table (memory only).
func hostAddress(env *Env) func(netip.Addr) bool {
	return func(a netip.Addr) bool {
		for _, ia := range env.HostAddrs.List() {
			if ia.Prefix.Addr() == a {
				return true
			}
		}
		return false
	}
}
