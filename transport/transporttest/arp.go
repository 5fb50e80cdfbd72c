package transporttest

import (
	"sync"

	"github.com/dhcpagent/dhcpagent/transport"
)

// ARP stands in for the listening half of transport.ARP: the code under
// test registers a listener per interface with Watch and Unwatch, and the
// test plays the socket's read loop with Deliver. The zero value has no
// listeners; it is safe for concurrent use.
type ARP struct {
	mu       sync.Mutex
	watchers map[int]func(transport.ARPPacket)
}

var _ transport.ARPWatcher = (*ARP)(nil)

// Watch makes f the listener for ARP packets heard on ifindex.
func (a *ARP) Watch(ifindex int, f func(transport.ARPPacket)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.watchers == nil {
		a.watchers = map[int]func(transport.ARPPacket){}
	}
	a.watchers[ifindex] = f
}

// Unwatch removes ifindex's listener.
func (a *ARP) Unwatch(ifindex int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.watchers, ifindex)
}

// Deliver hands p to ifindex's listener, outside the lock as the real read
// loop does, and reports whether there was one.
func (a *ARP) Deliver(ifindex int, p transport.ARPPacket) bool {
	a.mu.Lock()
	f := a.watchers[ifindex]
	a.mu.Unlock()
	if f != nil {
		f(p)
	}
	return f != nil
}
