package kerneltest

import (
	"net/netip"

	"github.com/dhcpagent/dhcpagent/kernel"
)

// api is the kernel as the actors use it. The real one and the fake both
// have it, so that a test over the fake exercises the calls the agent
// makes on the real one.
type api interface {
	Apply(kernel.AddrConfig) error
	Remove(kernel.AddrConfig) error
	Withdraw(old, next kernel.AddrConfig) error
	Addrs() ([]kernel.IfAddr, error)
	MTU(ifindex int) (int, error)
	SetMTU(ifindex, mtu int) error
	State(name string) (kernel.LinkState, error)
	SetUp(index int, up bool) error
	SetIPv6(name string, on bool) error
	AddrFlags(index int, p netip.Prefix) (present, tentative, duplicate bool)
}

var (
	_ api = (*kernel.Netlink)(nil)
	_ api = (*Kernel)(nil)
)
