package agent

import (
	"time"

	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/kernel"
)

// The real implementations of the actors' clock and link lookups, which
// newEnv wires with the sockets, the store and the hook runner.

// systemClock is the real clock.
type systemClock struct{}

var _ actors.Clock = systemClock{}

// Now returns the current time, with its monotonic reading.
func (systemClock) Now() time.Time { return time.Now() }

// AfterFunc calls f in its own goroutine after d.
func (systemClock) AfterFunc(d time.Duration, f func()) actors.Stopper { return time.AfterFunc(d, f) }

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
