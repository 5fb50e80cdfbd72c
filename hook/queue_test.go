package hook

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/google/go-cmp/cmp"
)

// counter numbers runs as the actors' shared generation counter does.
func counter() func() uint64 {
	var n uint64
	return func() uint64 { n++; return n }
}

// TestQueueBounded: however many events come while a hook runs, the
// waiting hooks stay within MaxWaiting, the latest kept, and a run of one
// event folds into one hook; DROP skips everything waiting.
func TestQueueBounded(t *testing.T) {
	var q Queue
	for i := range 1000 {
		a := q.Add(lease.EventNak, nil)
		if a.Place != 0 || a.Folded != (i > 0) || a.Events != i+1 || a.Skipped != nil {
			t.Fatalf("NAK %d: %+v", i, a)
		}
	}
	if q.Waiting() != 1 || q.jobs[0].Folded != 999 {
		t.Fatalf("1000 NAKs queued %d hooks (folded %d), want 1", q.Waiting(), q.jobs[0].Folded)
	}
	events := []lease.EventName{lease.EventNak, lease.EventDecline, lease.EventBound, lease.EventExpire}
	skipped := 0
	for i := range 1000 {
		a := q.Add(events[i%len(events)], nil)
		skipped += len(a.Skipped)
		if q.Waiting() > MaxWaiting {
			t.Fatalf("%d hooks waiting after %d events", q.Waiting(), i+1)
		}
		if a.Skipped != nil && a.Why != "hook queue full" {
			t.Fatalf("skipped for %q", a.Why)
		}
	}
	// The loop's first NAK folds into the NAK waiting: 1000 jobs in all.
	if skipped != 1000-MaxWaiting {
		t.Fatalf("%d hooks skipped, want %d: every job is either waiting or skipped", skipped, 1000-MaxWaiting)
	}
	if last := q.jobs[q.Waiting()-1].Event; last != lease.EventExpire {
		t.Fatalf("the latest hook waiting is %s, want the latest event's", last)
	}
	a := q.Add(lease.EventDrop, nil)
	if q.Waiting() != 1 || q.jobs[0].Event != lease.EventDrop || len(a.Skipped) != MaxWaiting ||
		a.Why != "superseded by DROP" {
		t.Fatalf("after DROP %d hooks wait (%v), skipped %d for %q; want DROP's alone", q.Waiting(), q.jobs,
			len(a.Skipped), a.Why)
	}
}

// TestQueueOrder: hooks run one at a time, in order, each holding its
// event's replies; a fold keeps the earlier event's replies and takes the
// latest environment; an outcome of another run is ignored; a skip hands
// back the replies it held; Flush gives back the running hook first.
func TestQueueOrder(t *testing.T) {
	var q Queue
	seq := counter()
	r := func(id uint64) lease.Reply { return lease.Reply{ID: id} }
	if _, ok := q.Start(seq); ok {
		t.Fatal("an empty queue started a hook")
	}
	q.Hold(q.Add(lease.EventBound, []string{"A=1"}).Place, r(1))
	running, ok := q.Start(seq)
	if !ok || running.Event != lease.EventBound || running.Seq != 1 {
		t.Fatalf("Start = %+v, %v", running, ok)
	}
	if _, ok := q.Start(seq); ok {
		t.Fatal("a second hook started while one runs")
	}
	q.Hold(q.Add(lease.EventExtend, []string{"A=2"}).Place, r(2))
	q.Hold(q.Add(lease.EventExtend, []string{"A=3"}).Place, r(3))
	if _, ok := q.Done(7); ok {
		t.Fatal("an outcome of another run ended the running hook")
	}
	done, ok := q.Done(running.Seq)
	if !ok || !cmp.Equal(done.Replies, []lease.Reply{r(1)}) {
		t.Fatalf("Done = %+v, %v: want the BOUND hook's reply", done, ok)
	}
	if _, ok := q.Done(running.Seq); ok {
		t.Fatal("one run ended twice")
	}
	next, ok := q.Start(seq)
	want := Job{Event: lease.EventExtend, Env: []string{"A=3"}, Replies: []lease.Reply{r(2), r(3)}, Folded: 1, Seq: 2}
	if diff := cmp.Diff(want, next); !ok || diff != "" {
		t.Fatalf("the folded EXTEND (-want +got):\n%s", diff)
	}
	q.Hold(q.Add(lease.EventExpire, nil).Place, r(4))
	a := q.Add(lease.EventRelease, nil)
	if len(a.Skipped) != 1 || !cmp.Equal(a.Skipped[0].Replies, []lease.Reply{r(4)}) {
		t.Fatalf("RELEASE skipped %+v, want EXPIRE with its reply", a.Skipped)
	}
	q.Hold(a.Place, r(5))
	flushed := q.Flush()
	if len(flushed) != 2 || flushed[0].Event != lease.EventExtend || flushed[1].Event != lease.EventRelease ||
		!cmp.Equal(flushed[1].Replies, []lease.Reply{r(5)}) {
		t.Fatalf("Flush = %+v, want the running EXTEND, then RELEASE", flushed)
	}
	if _, ok := q.Done(next.Seq); ok || q.Waiting() != 0 {
		t.Fatal("a flushed run ended again, or something still waits")
	}
}
