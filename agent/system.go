package agent

import (
	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/kernel"
)

// The real implementation of the actors' link lookups, which newEnv
// wires with the sockets, the store, the hook runner and the real clock
// (clock.Real).

// netLinks looks interfaces up through the kernel, one link at a time.
type netLinks struct{ n *kernel.Netlink }

var _ actors.Links = netLinks{}

// ByName returns the interface called name.
func (l netLinks) ByName(name string) (actors.Link, error) {
	index, hw, mtu, err := l.n.Link(name)
	if err != nil {
		return actors.Link{}, err
	}
	return actors.Link{Name: name, Index: index, HWAddr: hw, MTU: mtu}, nil
}
