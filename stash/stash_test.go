package stash

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStash: messages come back in the order they were pushed, by Pop
// one at a time or by Drain, and none beyond the bound is kept.
func TestStash(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		push   []int
		pops   int   // Pop calls before Drain
		want   []int // what Push kept, in order
		popped []int
		rest   []int // what Drain then gives
	}{
		{name: "empty", max: 2},
		{name: "in order", max: 3, push: []int{1, 2, 3}, want: []int{1, 2, 3}, rest: []int{1, 2, 3}},
		{name: "bounded", max: 2, push: []int{1, 2, 3, 4}, want: []int{1, 2}, rest: []int{1, 2}},
		{name: "pop then drain", max: 4, push: []int{1, 2, 3}, pops: 1, want: []int{1, 2, 3},
			popped: []int{1}, rest: []int{2, 3}},
		{name: "pop past the end", max: 2, push: []int{1}, pops: 3, want: []int{1}, popped: []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New[int](tt.max)
			var kept []int
			for _, m := range tt.push {
				if s.Push(m) {
					kept = append(kept, m)
				}
			}
			if diff := cmp.Diff(tt.want, kept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if s.Len() != len(tt.want) {
				t.Errorf("Len = %d, want %d", s.Len(), len(tt.want))
			}
			var popped []int
			for range tt.pops {
				if m, ok := s.Pop(); ok {
					popped = append(popped, m)
				}
			}
			if diff := cmp.Diff(tt.popped, popped); diff != "" {
				t.Errorf("popped (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rest, s.Drain()); diff != "" {
				t.Errorf("drained (-want +got):\n%s", diff)
			}
			if s.Len() != 0 {
				t.Errorf("Len after Drain = %d", s.Len())
			}
		})
	}
}

// TestStashRoomAgain: what was taken off makes room for as many more.
func TestStashRoomAgain(t *testing.T) {
	s := New[string](2)
	s.Push("a")
	s.Push("b")
	if s.Push("c") {
		t.Fatal("pushed beyond the bound")
	}
	if m, _ := s.Pop(); m != "a" {
		t.Fatalf("Pop = %q, want a", m)
	}
	if !s.Push("c") {
		t.Fatal("no room after a Pop")
	}
	if diff := cmp.Diff([]string{"b", "c"}, s.Drain()); diff != "" {
		t.Errorf("drained (-want +got):\n%s", diff)
	}
	if s.Cap() != 2 {
		t.Errorf("Cap = %d, want 2", s.Cap())
	}
}

// TestZeroStashRefuses: the zero Stash keeps nothing, rather than
// growing without a bound.
func TestZeroStashRefuses(t *testing.T) {
	var s Stash[int]
	if s.Push(1) || s.Len() != 0 {
		t.Fatal("the zero Stash kept a message")
	}
	if _, ok := s.Pop(); ok {
		t.Fatal("Pop of an empty stash reported a message")
	}
}

// TestNewNeedsABound: a stash without room is a mistake of its owner's.
func TestNewNeedsABound(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New(0) did not panic")
		}
	}()
	New[int](0)
}

// TestStashPrune: Prune lets go what its predicate picks and keeps the
// rest in order; PushPruning prunes only when the stash is full, and
// refuses when nothing could go.
func TestStashPrune(t *testing.T) {
	odd := func(m int) bool { return m%2 == 1 }
	s := New[int](4)
	for _, m := range []int{1, 2, 3, 4} {
		s.Push(m)
	}
	if n := s.Prune(odd); n != 2 {
		t.Errorf("Prune let %d go, want 2", n)
	}
	if diff := cmp.Diff([]int{2, 4}, s.Drain()); diff != "" {
		t.Errorf("after Prune (-want +got):\n%s", diff)
	}

	s = New[int](2)
	if !s.PushPruning(1, odd) || !s.PushPruning(3, odd) {
		t.Fatal("PushPruning refused with room left")
	}
	if s.Len() != 2 {
		t.Fatalf("PushPruning pruned with room left: Len = %d", s.Len())
	}
	if !s.PushPruning(2, odd) || !s.PushPruning(4, odd) {
		t.Fatal("PushPruning of a full stash refused though some could go")
	}
	if s.PushPruning(6, odd) {
		t.Fatal("PushPruning kept a message beyond the bound")
	}
	if diff := cmp.Diff([]int{2, 4}, s.Drain()); diff != "" {
		t.Errorf("after PushPruning (-want +got):\n%s", diff)
	}
	if s.Prune(odd) != 0 || s.Len() != 0 {
		t.Error("Prune of an empty stash")
	}
}
