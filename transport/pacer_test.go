package transport

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPacer(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := NewPacer(100, 3) // 10 ms apart, 3 at once
	var got []time.Duration
	for range 5 {
		got = append(got, p.Reserve(now))
	}
	want := []time.Duration{0, 0, 0, 10 * time.Millisecond, 20 * time.Millisecond}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("burst then paced (-want +got):\n%s", diff)
	}
	// After a long idle spell the bucket is full again, but no fuller.
	later := now.Add(time.Minute)
	got = got[:0]
	for range 4 {
		got = append(got, p.Reserve(later))
	}
	if diff := cmp.Diff([]time.Duration{0, 0, 0, 10 * time.Millisecond}, got); diff != "" {
		t.Fatalf("after idle (-want +got):\n%s", diff)
	}
	if d := NewPacer(0, 0).Reserve(now); d != 0 {
		t.Fatalf("unpaced wait %v", d)
	}
}
