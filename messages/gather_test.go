package messages

import (
	"slices"
	"testing"
	"time"
)

// TestGather: the n replies are collected in the order they came; with
// one missing, what came is returned with false once d has run out; with
// none expected, at once.
func TestGather(t *testing.T) {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	if got, ok := Gather(ch, 3, time.Hour); !ok || !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("Gather of 3 sent = %v, %v; want 1 2 3, true", got, ok)
	}
	ch <- 4
	if got, ok := Gather(ch, 2, time.Millisecond); ok || !slices.Equal(got, []int{4}) {
		t.Fatalf("Gather with one missing = %v, %v; want 4, false", got, ok)
	}
	if got, ok := Gather(ch, 0, 0); !ok || len(got) != 0 {
		t.Fatalf("Gather of none = %v, %v; want nothing, true", got, ok)
	}
}
