package clocktest

import (
	"slices"
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

// TestManualStop: as time.Timer's, Stop reports false for a timer that
// has fired already; a timer stopped by one that fired before it in the
// same Advance does not fire.
func TestManualStop(t *testing.T) {
	c := New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fired := c.AfterFunc(time.Second, func() {})
	c.Advance(time.Second)
	if fired.Stop() {
		t.Error("Stop of a timer that fired reported it pending")
	}
	var order []int
	var second interface{ Stop() bool }
	c.AfterFunc(time.Second, func() {
		order = append(order, 1)
		if !second.Stop() {
			t.Error("a timer not run yet could not be stopped")
		}
	})
	second = c.AfterFunc(2*time.Second, func() { order = append(order, 2) })
	c.Advance(2 * time.Second)
	if len(order) != 1 || order[0] != 1 {
		t.Fatalf("fired %v, want [1]: the second was stopped before its turn", order)
	}
}

// TestManualSameTime: timers due at the same time fire in the order they
// were armed, those due earlier first.
func TestManualSameTime(t *testing.T) {
	c := New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var order, want []int
	for i := range 200 {
		c.AfterFunc(time.Duration(1+i%2)*time.Second, func() { order = append(order, i) })
	}
	for i := 0; i < 200; i += 2 {
		want = append(want, i)
	}
	for i := 1; i < 200; i += 2 {
		want = append(want, i)
	}
	c.Advance(2 * time.Second)
	if !slices.Equal(order, want) {
		t.Fatalf("fired %v, want %v", order, want)
	}
}
