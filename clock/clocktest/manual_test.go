package clocktest

import (
	"testing"
	"time"
)

// TestManual: time moves only by Advance, due timers fire in order of
// their time, stopped ones never.
func TestManual(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	var order []int
	c.AfterFunc(3*time.Second, func() { order = append(order, 3) })
	c.AfterFunc(time.Second, func() { order = append(order, 1) })
	stopped := c.AfterFunc(2*time.Second, func() { order = append(order, 2) })
	if !stopped.Stop() {
		t.Fatal("a pending timer could not be stopped")
	}
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v before any Advance, want %v", c.Now(), start)
	}
	c.Advance(2 * time.Second)
	if len(order) != 1 || order[0] != 1 {
		t.Fatalf("fired %v after 2 s, want [1]", order)
	}
	c.Advance(time.Second)
	if len(order) != 2 || order[1] != 3 || !c.Now().Equal(start.Add(3*time.Second)) {
		t.Fatalf("fired %v at %v, want [1 3] at +3 s", order, c.Now())
	}
}
