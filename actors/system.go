package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/store"
)

// This file has the real implementations of the Env dependencies that
// package actors provides itself; agent.Run wires them with the sockets,
// the store and the hook runner.

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time, with its monotonic reading.
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc calls f in its own goroutine after d.
func (SystemClock) AfterFunc(d time.Duration, f func()) Stopper { return time.AfterFunc(d, f) }

// NetLinks looks interfaces up through the kernel, one link at a time.
type NetLinks struct{ N *kernel.Netlink }

// ByName returns the interface called name.
func (l NetLinks) ByName(name string) (Link, error) {
	index, hw, mtu, err := l.N.Link(name)
	if err != nil {
		return Link{}, err
	}
	return Link{Name: name, Index: index, HWAddr: hw, MTU: mtu}, nil
}

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
