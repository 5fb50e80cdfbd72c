package actors

import (
	"sync"
	"sync/atomic"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// Bus fans interface events out to watch clients. Publishing never blocks:
// a subscriber that does not keep up loses events, and they are counted.
type Bus struct {
	mu      sync.Mutex
	subs    map[int]chan *ipc.Event
	next    int
	dropped atomic.Uint64
}

// NewBus returns a bus without subscribers.
func NewBus() *Bus { return &Bus{subs: make(map[int]chan *ipc.Event)} }

// Publish hands ev to every subscriber that has room for it.
func (b *Bus) Publish(ev *ipc.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ch := range b.subs {
		select {
		case ch <- ev:
		default:
			b.dropped.Add(1)
		}
	}
}

// Subscribe returns a channel of events and the function that ends the
// subscription.
func (b *Bus) Subscribe() (<-chan *ipc.Event, func()) {
	ch := make(chan *ipc.Event, 256)
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = ch
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// Dropped counts events lost by slow subscribers.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }
