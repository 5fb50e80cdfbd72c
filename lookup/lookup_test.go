package lookup

import (
	"fmt"
	"slices"
	"testing"
)

// TestQueueWaitAndAnswer: items wait only behind a lookup in flight, and
// are handed on in order with the answer at hand, once; the lookup is
// then over.
func TestQueueWaitAndAnswer(t *testing.T) {
	var q Queue[int, string, string]
	if q.Wait("eth0", 1) {
		t.Fatal("queued with no lookup in flight")
	}
	q.Begin("eth0", "eth1")
	q.Begin("eth0") // already in flight: its queue is kept
	for _, i := range []int{1, 2, 3} {
		if !q.Wait("eth0", i) {
			t.Fatalf("item %d not queued behind the lookup", i)
		}
	}
	q.Wait("eth1", 9)
	var got []int
	q.Answer("eth0", "found", func(i int) {
		if a, ok := q.Fresh("eth0"); !ok || a != "found" {
			t.Errorf("Fresh during Answer = %q, %v; want the answer", a, ok)
		}
		if q.Wait("eth0", 10+i) {
			t.Errorf("item queued behind a lookup that is over")
		}
		got = append(got, i)
	})
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("handed on %v, want 1 2 3", got)
	}
	if _, ok := q.Fresh("eth0"); ok {
		t.Fatal("the answer is kept after Answer")
	}
	got = nil
	q.Answer("eth0", "again", func(i int) { got = append(got, i) })
	if got != nil {
		t.Fatalf("a second answer handed on %v", got)
	}
	q.Answer("eth1", "", func(i int) { got = append(got, i) })
	if !slices.Equal(got, []int{9}) {
		t.Fatalf("eth1 handed on %v, want 9: each name its own", got)
	}
}

// TestQueueStale: an event for a name in flight marks its answer stale,
// once; the lookup stays in flight with its items.
func TestQueueStale(t *testing.T) {
	var q Queue[int, string, string]
	if q.Event("eth0", "down") {
		t.Fatal("event counted for a name not looked up")
	}
	q.Begin("eth0", "eth1")
	q.Wait("eth0", 1)
	if q.Stale([]string{"eth0", "eth1"}) {
		t.Fatal("stale without an event")
	}
	if !q.Event("eth1", "down") {
		t.Fatal("event for a name in flight not counted")
	}
	if q.Stale([]string{"eth0"}) {
		t.Fatal("eth1's event made eth0 stale")
	}
	if !q.Stale([]string{"eth0", "eth1"}) {
		t.Fatal("not stale after an event")
	}
	if q.Stale([]string{"eth0", "eth1"}) {
		t.Fatal("still stale once reported")
	}
	if !q.Wait("eth0", 2) {
		t.Fatal("a stale lookup is no longer in flight")
	}
	var got []int
	q.Answer("eth0", "", func(i int) { got = append(got, i) })
	if !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("handed on %v, want 1 2", got)
	}
}

// TestQueueDrain: Drain takes every waiting item; the lookups stay in
// flight, and what comes later waits again.
func TestQueueDrain(t *testing.T) {
	var q Queue[int, string, string]
	if d := q.Drain(); len(d) != 0 {
		t.Fatalf("zero Queue drained %v", d)
	}
	q.Begin("eth0", "eth1")
	q.Wait("eth0", 1)
	q.Wait("eth0", 2)
	q.Wait("eth1", 3)
	d := q.Drain()
	slices.Sort(d)
	if !slices.Equal(d, []int{1, 2, 3}) {
		t.Fatalf("drained %v, want 1 2 3", d)
	}
	if !q.Wait("eth0", 4) {
		t.Fatal("the lookup ended with the drain")
	}
	var got []int
	q.Answer("eth0", "", func(i int) { got = append(got, i) })
	if !slices.Equal(got, []int{4}) {
		t.Fatalf("handed on %v after the drain, want 4 only", got)
	}
}

// TestQueueStaleBounded: a name whose events never stop is asked again
// MaxAgain times, then its answer is used: Answer hands its items on and
// gives back the latest event, which the answer may predate. An answer
// with no event left over gives none.
func TestQueueStaleBounded(t *testing.T) {
	var q Queue[int, string, string]
	q.Begin("eth0")
	q.Wait("eth0", 1)
	asks := 1
	for i := 0; ; i++ {
		q.Event("eth0", fmt.Sprint("event ", i))
		if !q.Stale([]string{"eth0"}) {
			break
		}
		if asks++; asks > 1+MaxAgain+1 {
			t.Fatal("asked again without end")
		}
	}
	if asks != 1+MaxAgain {
		t.Fatalf("asked %d times, want %d", asks, 1+MaxAgain)
	}
	var got []int
	late, ok := q.Answer("eth0", "", func(i int) { got = append(got, i) })
	if !slices.Equal(got, []int{1}) {
		t.Fatalf("handed on %v, want 1", got)
	}
	if want := fmt.Sprint("event ", MaxAgain); !ok || late != want {
		t.Fatalf("late event %q, %v; want %q", late, ok, want)
	}

	q.Begin("eth1")
	q.Event("eth1", "up")
	if !q.Stale([]string{"eth1"}) {
		t.Fatal("not stale after an event")
	}
	if late, ok := q.Answer("eth1", "", func(int) {}); ok {
		t.Fatalf("late event %q of an answer asked again for it", late)
	}
}
