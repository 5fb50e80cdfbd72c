package stash

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func odd(m int) bool { return m%2 == 1 }

// holdAll holds each of ms, returning those the gate kept.
func holdAll(g *Gate[int], ms ...int) []int {
	var kept []int
	for _, m := range ms {
		if g.Hold(m) {
			kept = append(kept, m)
		}
	}
	return kept
}

// TestGateHoldsUntilOpen: a closed gate replays nothing; opened, it
// hands back what it held in the order it came, and is empty after.
func TestGateHoldsUntilOpen(t *testing.T) {
	g := NewGate[int](4, odd)
	if g.Closed() {
		t.Fatal("a new gate is closed")
	}
	g.Close()
	if !g.Closed() {
		t.Fatal("Close left the gate open")
	}
	holdAll(g, 1, 2, 3)
	if got := slices.Collect(g.Replay()); got != nil {
		t.Fatalf("a closed gate replayed %v", got)
	}
	if g.Len() != 3 {
		t.Fatalf("Len = %d, want 3", g.Len())
	}
	g.Open()
	if g.Closed() {
		t.Fatal("Open left the gate closed")
	}
	if diff := cmp.Diff([]int{1, 2, 3}, slices.Collect(g.Replay())); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
	if g.Len() != 0 {
		t.Errorf("Len after the replay = %d", g.Len())
	}
}

// TestNilGateIsOpen: an owner with nothing to wait for has no gate.
func TestNilGateIsOpen(t *testing.T) {
	var g *Gate[int]
	if g.Closed() {
		t.Fatal("a nil gate is closed")
	}
}

// TestGateBounded: a full gate lets go what is gone first, and refuses
// what comes when nothing could go; what it let go is never replayed.
func TestGateBounded(t *testing.T) {
	g := NewGate[int](3, odd)
	g.Close()
	if diff := cmp.Diff([]int{1, 2, 4, 6}, holdAll(g, 1, 2, 4, 6, 8)); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if g.Len() != 3 {
		t.Fatalf("Len = %d, want its bound, 3", g.Len())
	}
	g.Open()
	if diff := cmp.Diff([]int{2, 4, 6}, slices.Collect(g.Replay())); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
}

// TestGateReplayCloses: handling a replayed message may close the gate
// again; the replay stops there and the rest wait ahead of what comes
// next, until the gate opens again.
func TestGateReplayCloses(t *testing.T) {
	g := NewGate[int](8, odd)
	g.Close()
	holdAll(g, 2, 4, 6, 8)
	g.Open()
	var got []int
	for m := range g.Replay() {
		got = append(got, m)
		if m == 4 {
			g.Close()
		}
	}
	if diff := cmp.Diff([]int{2, 4}, got); diff != "" {
		t.Errorf("replayed before closing (-want +got):\n%s", diff)
	}
	holdAll(g, 10)
	g.Open()
	if diff := cmp.Diff([]int{6, 8, 10}, slices.Collect(g.Replay())); diff != "" {
		t.Errorf("replayed once open again (-want +got):\n%s", diff)
	}
}

// TestGateReplayTakesOff: each message is off the gate before it is
// handled, so that a failure while handling it loses only that one, and
// a loop that breaks leaves the rest held.
func TestGateReplayTakesOff(t *testing.T) {
	g := NewGate[int](8, odd)
	g.Close()
	holdAll(g, 2, 4, 6, 8)
	g.Open()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the handler's panic did not come through the replay")
			}
		}()
		for m := range g.Replay() {
			if g.Len() != 3 {
				t.Errorf("Len while handling %d = %d, want 3: it is taken off first", m, g.Len())
			}
			panic("handling failed")
		}
	}()
	for m := range g.Replay() {
		if m != 4 {
			t.Errorf("the replay after the failure began with %d, want 4", m)
		}
		break
	}
	if diff := cmp.Diff([]int{6, 8}, g.Drain()); diff != "" {
		t.Errorf("left after the break (-want +got):\n%s", diff)
	}
}

// TestGateDrain: Drain takes everything held, oldest first, whether the
// gate is closed or not, for the owner to answer as it stops.
func TestGateDrain(t *testing.T) {
	g := NewGate[int](4, odd)
	g.Close()
	holdAll(g, 1, 2, 3)
	if diff := cmp.Diff([]int{1, 2, 3}, g.Drain()); diff != "" {
		t.Errorf("drained (-want +got):\n%s", diff)
	}
	if g.Len() != 0 || !g.Closed() {
		t.Errorf("after Drain: Len %d, closed %v; want 0, still closed", g.Len(), g.Closed())
	}
	g.Open()
	if got := slices.Collect(g.Replay()); got != nil {
		t.Errorf("replayed %v after Drain", got)
	}
}

// TestNewGateNeedsABound: as a Stash, a gate without room is a mistake.
func TestNewGateNeedsABound(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewGate(0) did not panic")
		}
	}()
	NewGate[int](0, odd)
}
