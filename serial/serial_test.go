package serial

import (
	"runtime"
	"testing"
	"time"
)

// TestQueue: jobs run in the order queued, off the caller; After waits
// behind them, and runs at once on an idle queue.
func TestQueue(t *testing.T) {
	var q Queue
	hold := make(chan struct{})
	var order []int
	q.Do(func() { <-hold; order = append(order, 1) })
	q.Do(func() { order = append(order, 2) })
	done := make(chan struct{})
	q.After(func() { close(done) })
	if q.Idle() {
		t.Fatal("idle with jobs queued")
	}
	select {
	case <-done:
		t.Fatal("After ran before the jobs queued ahead of it")
	default:
	}
	close(hold)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("After never ran")
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Fatalf("order %v, want [1 2]", order)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !q.Idle() {
		runtime.Gosched()
		if time.Now().After(deadline) {
			t.Fatal("the queue never went idle")
		}
	}
	ran := false
	q.After(func() { ran = true })
	if !ran {
		t.Fatal("After did not run at once on an idle queue")
	}
}

// TestNamed: one T per name, made once.
func TestNamed(t *testing.T) {
	var n Named[int]
	made := 0
	newT := func() *int { made++; v := made; return &v }
	a, b, a2 := n.Get("eth0", newT), n.Get("eth1", newT), n.Get("eth0", newT)
	if a != a2 || a == b || made != 2 {
		t.Fatalf("eth0 %p then %p, eth1 %p, %d made; want eth0's made once", a, a2, b, made)
	}
	if len(n.All()) != 2 {
		t.Fatalf("All = %d, want 2", len(n.All()))
	}
}
