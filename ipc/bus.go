package ipc

import (
	"sync"
	"sync/atomic"
)

// Bus fans interface events out to watch clients: the interface actors
// publish, and each watch stream (Server.Watch) subscribes. Publishing
// never blocks: a subscriber that does not keep up loses events (its
// buffer holds WatchBuffer), and they are counted.
type Bus struct {
	mu      sync.Mutex
	subs    map[int]chan *Event
	next    int
	dropped atomic.Uint64
}

// WatchBuffer is how many events a watch stream may fall behind by.
const WatchBuffer = 256

// NewBus returns a bus without subscribers.
func NewBus() *Bus { return &Bus{subs: make(map[int]chan *Event)} }

// Publish hands ev to every subscriber that has room for it.
func (b *Bus) Publish(ev *Event) {
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
func (b *Bus) Subscribe() (<-chan *Event, func()) {
	ch := make(chan *Event, WatchBuffer)
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
