package lookup

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// owner records what Looked does, in order, as "again", "then", "route
// <item> <answer at hand>" and "late <event>".
type owner struct {
	q   *Queue[string, string, string]
	log []string
}

func (r *owner) of(stopping bool) Owner[string, string] {
	return Owner[string, string]{
		Stopping: stopping,
		Again:    func() { r.log = append(r.log, "again") },
		Then:     func() { r.log = append(r.log, "then") },
		Route: func(item string) {
			name := item[:4] // the items are named after their interface
			a, _ := r.q.Fresh(name)
			r.log = append(r.log, "route "+item+" "+a)
		},
		Late: func(ev string) { r.log = append(r.log, "late "+ev) },
	}
}

// take returns what was recorded since the last take.
func (r *owner) take() []string {
	log := r.log
	r.log = nil
	return log
}

// TestQueueLooked: an answer that nothing made stale runs Then first,
// then hands each name's items on in order, name after name, each with
// its own answer at hand, and ends the lookups.
func TestQueueLooked(t *testing.T) {
	var q Queue[string, string, string]
	r := &owner{q: &q}
	names := []string{"eth1", "eth0"}
	q.Begin(names...)
	q.Wait("eth0", "eth0 a")
	q.Wait("eth1", "eth1 a")
	q.Wait("eth0", "eth0 b")
	if !q.Looked(names, []string{"found1", "found0"}, r.of(false)) {
		t.Fatal("an answer nothing made stale was not used")
	}
	want := []string{"then", "route eth1 a found1", "route eth0 a found0", "route eth0 b found0"}
	if diff := cmp.Diff(want, r.take()); diff != "" {
		t.Fatalf("Looked (-want +got):\n%s", diff)
	}
	if q.Wait("eth0", "eth0 c") || q.Wait("eth1", "eth1 c") {
		t.Fatal("a lookup is still in flight once its answer was used")
	}

	// A Then of nil is no Then.
	q.Begin("eth2")
	q.Wait("eth2", "eth2 a")
	o := r.of(false)
	o.Then = nil
	q.Looked([]string{"eth2"}, []string{"found2"}, o)
	if diff := cmp.Diff([]string{"route eth2 a found2"}, r.take()); diff != "" {
		t.Fatalf("Looked without Then (-want +got):\n%s", diff)
	}
}

// TestQueueLookedStale: an answer an event made stale is asked again and
// nothing else: no Then, the items still waiting behind the lookup. The
// next answer, with no event meanwhile, is used, and the event, asked
// again for, is not handed back.
func TestQueueLookedStale(t *testing.T) {
	var q Queue[string, string, string]
	r := &owner{q: &q}
	names := []string{"eth0", "eth1"}
	q.Begin(names...)
	q.Wait("eth0", "eth0 a")
	q.Event("eth1", "down")
	if q.Looked(names, []string{"old0", "old1"}, r.of(false)) {
		t.Fatal("a stale answer was used")
	}
	if diff := cmp.Diff([]string{"again"}, r.take()); diff != "" {
		t.Fatalf("stale Looked (-want +got):\n%s", diff)
	}
	if !q.Wait("eth0", "eth0 b") {
		t.Fatal("the lookup asked again is no longer in flight")
	}
	if !q.Looked(names, []string{"new0", "new1"}, r.of(false)) {
		t.Fatal("the answer asked again was not used")
	}
	want := []string{"then", "route eth0 a new0", "route eth0 b new0"}
	if diff := cmp.Diff(want, r.take()); diff != "" {
		t.Fatalf("Looked again (-want +got):\n%s", diff)
	}
}

// TestQueueLookedFlapping: a name whose events never stop is asked
// 1+MaxAgain times in all; its last answer is then used, and its latest
// event handed back after every item of every name has been handed on.
func TestQueueLookedFlapping(t *testing.T) {
	var q Queue[string, string, string]
	r := &owner{q: &q}
	names := []string{"eth0", "eth1"}
	q.Begin(names...)
	q.Wait("eth0", "eth0 a")
	q.Wait("eth1", "eth1 a")
	asks := 1
	for i := 0; ; i++ {
		q.Event("eth0", fmt.Sprint("event ", i))
		if q.Looked(names, []string{fmt.Sprint("answer ", i), "found1"}, r.of(false)) {
			break
		}
		if asks++; asks > 1+MaxAgain+1 {
			t.Fatal("asked again without end")
		}
	}
	if asks != 1+MaxAgain {
		t.Fatalf("asked %d times, want %d", asks, 1+MaxAgain)
	}
	var want []string
	for range MaxAgain {
		want = append(want, "again")
	}
	last := fmt.Sprint(MaxAgain)
	want = append(want, "then", "route eth0 a answer "+last, "route eth1 a found1", "late event "+last)
	if diff := cmp.Diff(want, r.take()); diff != "" {
		t.Fatalf("flapping (-want +got):\n%s", diff)
	}
}

// TestQueueLookedStopping: once the owner stops, an answer is used even
// when stale, without Then; the items still go on, for the owner to
// answer. An event it would have asked again for is not handed back; one
// past MaxAgain is.
func TestQueueLookedStopping(t *testing.T) {
	var q Queue[string, string, string]
	r := &owner{q: &q}
	q.Begin("eth0")
	q.Wait("eth0", "eth0 a")
	q.Event("eth0", "down")
	if !q.Looked([]string{"eth0"}, []string{"found0"}, r.of(true)) {
		t.Fatal("a stale answer was asked again while stopping")
	}
	if diff := cmp.Diff([]string{"route eth0 a found0"}, r.take()); diff != "" {
		t.Fatalf("stopping (-want +got):\n%s", diff)
	}

	q.Begin("eth1")
	for i := range MaxAgain {
		q.Event("eth1", fmt.Sprint("event ", i))
		q.Looked([]string{"eth1"}, []string{""}, r.of(false))
	}
	r.take()
	q.Event("eth1", "gone")
	q.Wait("eth1", "eth1 a")
	q.Looked([]string{"eth1"}, []string{"found1"}, r.of(true))
	if diff := cmp.Diff([]string{"route eth1 a found1", "late gone"}, r.take()); diff != "" {
		t.Fatalf("stopping past MaxAgain (-want +got):\n%s", diff)
	}
}
