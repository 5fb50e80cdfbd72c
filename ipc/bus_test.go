package ipc

import "testing"

// TestBus: every subscriber gets what is published after it subscribed, in
// order; one that does not read loses what overflows its buffer (counted),
// never blocking the publisher or the others; a stopped subscription gets
// nothing more.
func TestBus(t *testing.T) {
	b := NewBus()
	fast, stopFast := b.Subscribe()
	slow, stopSlow := b.Subscribe()
	defer stopSlow()
	const n = WatchBuffer + 10
	for i := range n {
		b.Publish(&Event{Ifname: "eth0", Sent: uint64(i)})
		if ev := <-fast; ev.Sent != uint64(i) {
			t.Fatalf("fast subscriber got event %d, want %d", ev.Sent, i)
		}
	}
	if got := b.Dropped(); got != n-WatchBuffer {
		t.Fatalf("Dropped = %d, want %d (the slow subscriber's overflow)", got, n-WatchBuffer)
	}
	for i := range WatchBuffer {
		if ev := <-slow; ev.Sent != uint64(i) {
			t.Fatalf("slow subscriber got event %d, want %d: the oldest are kept", ev.Sent, i)
		}
	}
	stopFast()
	b.Publish(&Event{Ifname: "eth1"})
	select {
	case ev := <-fast:
		t.Fatalf("a stopped subscription got %+v", ev)
	default:
	}
	if ev := <-slow; ev.Ifname != "eth1" {
		t.Fatalf("slow subscriber got %+v after the other stopped", ev)
	}
	if got := b.Dropped(); got != n-WatchBuffer {
		t.Fatalf("Dropped = %d after a stopped subscription, want %d", got, n-WatchBuffer)
	}
}
