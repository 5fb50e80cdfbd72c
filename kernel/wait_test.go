package kernel_test

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/clock/clocktest"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not within 5 s", what)
	}
}

// TestWorkerJobsNumbered: jobs are numbered from 1 in the order queued,
// and each report carries its job's number and what it returned.
func TestWorkerJobsNumbered(t *testing.T) {
	k := kernel.NewWorker(kernel.Effects{}, "eth0", nil)
	type report struct {
		seq uint64
		n   int
	}
	reports := make(chan report, 3)
	for i := range 3 {
		refused := make([]error, i)
		seq := k.Job(func(*kernel.Worker) []error { return refused },
			func(seq uint64, r []error) { reports <- report{seq, len(r)} })
		if seq != uint64(i+1) {
			t.Fatalf("job %d numbered %d", i, seq)
		}
	}
	for i := range 3 {
		if r := <-reports; r != (report{uint64(i + 1), i}) {
			t.Fatalf("report %d: %+v", i, r)
		}
	}
}

// TestWorkerAfterAtMost: f runs once the jobs queued are done, or Wait
// later when they are not (a kernel that does not answer), and once only.
func TestWorkerAfterAtMost(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	k := kernel.NewWorker(kernel.Effects{}, "eth0", nil)
	runs := 0
	k.AfterAtMost(clk, func() { runs++ }) // idle: at once
	if runs != 1 {
		t.Fatalf("ran %d times on an idle worker, want 1 at once", runs)
	}
	clk.Advance(kernel.Wait)
	if runs != 1 {
		t.Fatalf("ran %d times, want once", runs)
	}

	gate, ran := make(chan struct{}), make(chan struct{})
	k.Job(func(*kernel.Worker) []error { <-gate; return nil }, func(uint64, []error) {})
	k.AfterAtMost(clk, func() { close(ran) })
	clk.Advance(kernel.Wait - time.Second)
	select {
	case <-ran:
		t.Fatal("ran before the job was done or Wait had passed")
	default:
	}
	clk.Advance(time.Second) // the kernel has not answered: f runs
	within(t, ran, "f after Wait")
	close(gate) // the job ends: f does not run again (close would panic)
	done := make(chan struct{})
	k.After(func() { close(done) })
	within(t, done, "the worker's queue")
}

// waiting is a Waiting on a manual clock, with what it let go and the
// Late posts it made.
type waiting struct {
	w    *kernel.Waiting[string]
	clk  *clocktest.Manual
	ran  []string
	late []uint64
	logs *observer.ObservedLogs
}

func newWaiting() *waiting {
	core, logs := observer.New(zap.ErrorLevel)
	v := &waiting{clk: clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), logs: logs}
	v.w = &kernel.Waiting[string]{Clock: v.clk, Log: zap.New(core),
		Run:  func(s string) { v.ran = append(v.ran, s) },
		Late: func(seq uint64) { v.late = append(v.late, seq) }}
	return v
}

func (v *waiting) ranWant(t *testing.T, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, v.ran); diff != "" {
		t.Fatalf("let go (-want +got):\n%s", diff)
	}
}

// TestWaitingOrder: an item without kernel work goes at once; one whose
// message asked for a job waits for it; an item with a hook (ordered)
// waits behind those held, one with only answers never does (status
// while a lease is being applied); Busy says a job is outstanding.
func TestWaitingOrder(t *testing.T) {
	v := newWaiting()
	v.w.Begin()
	v.w.Finish("no kernel work", false)
	v.ranWant(t, "no kernel work")

	v.w.Begin()
	v.w.Asked(1)
	v.w.Finish("bound: hook and answer", true)
	v.w.Begin()
	v.w.Finish("status", false)           // answers only: not behind the apply
	v.w.Finish("a hook, no kernel", true) // behind the held hook
	v.w.Begin()
	v.w.Asked(2)
	v.w.Finish("renewed", true)
	v.ranWant(t, "no kernel work", "status")
	if !v.w.Busy() {
		t.Fatal("not Busy with two jobs outstanding")
	}
	v.w.Done(1)
	v.ranWant(t, "no kernel work", "status", "bound: hook and answer", "a hook, no kernel")
	v.w.Done(2)
	v.ranWant(t, "no kernel work", "status", "bound: hook and answer", "a hook, no kernel", "renewed")
	if v.w.Busy() {
		t.Fatal("Busy with every job done")
	}
	v.clk.Advance(kernel.Wait)
	if len(v.late) != 0 {
		t.Fatalf("Late %v after every job was done in time", v.late)
	}
}

// TestWaitingLate: Wait after a job was asked for, Late comes with its
// number; Expired lets what waits for it go, logged, and bounds the wait
// for a later job afresh; a report that comes after changes nothing; a
// Late for a job done since lets nothing go.
func TestWaitingLate(t *testing.T) {
	v := newWaiting()
	v.w.Begin()
	v.w.Asked(1)
	v.w.Finish("first", true)
	v.clk.Advance(time.Second)
	v.w.Begin()
	v.w.Asked(2)
	v.w.Finish("second", true)
	v.clk.Advance(kernel.Wait - time.Second)
	if diff := cmp.Diff([]uint64{1}, v.late); diff != "" {
		t.Fatalf("Late (-want +got):\n%s", diff)
	}
	v.w.Expired(1)
	v.ranWant(t, "first")
	if v.logs.FilterMessage("the kernel has not applied the lease in time; answering anyway").Len() != 1 {
		t.Fatalf("logs %v: want the late answer logged", v.logs.All())
	}
	v.w.Done(1) // the kernel answers after all
	v.ranWant(t, "first")
	v.clk.Advance(kernel.Wait)
	if diff := cmp.Diff([]uint64{1, 2}, v.late); diff != "" {
		t.Fatalf("Late (-want +got): the wait for job 2 is bounded afresh\n%s", diff)
	}
	v.w.Done(2)
	v.w.Expired(2) // posted before the report was handled
	v.ranWant(t, "first", "second")
	if n := v.logs.Len(); n != 1 {
		t.Fatalf("%d error lines, want 1: job 2 was done in time", n)
	}
}

// TestWaitingStopDrop: Stop ends the bound; Drop hands back what is held,
// in order, and holds nothing more.
func TestWaitingStopDrop(t *testing.T) {
	v := newWaiting()
	var zero kernel.Waiting[string]
	zero.Stop()
	if len(zero.Drop()) != 0 || zero.Busy() {
		t.Fatal("the zero Waiting holds something")
	}
	v.w.Begin()
	v.w.Asked(1)
	v.w.Finish("a", true)
	v.w.Finish("b", false)
	v.w.Stop()
	v.clk.Advance(kernel.Wait)
	if len(v.late) != 0 {
		t.Fatalf("Late %v after Stop", v.late)
	}
	if diff := cmp.Diff([]string{"a", "b"}, v.w.Drop()); diff != "" {
		t.Fatalf("Drop (-want +got):\n%s", diff)
	}
	v.w.Done(1)
	v.ranWant(t)
}

// TestWaitingStaleLate: a Late posted by a timer this Waiting no longer
// has (an earlier incarnation's, the actor's mailbox surviving its
// restart, or one stopped after it fired) changes nothing: nothing is
// logged as late, and the live bound stays the one Stop ends, so that no
// Late comes after Stop.
func TestWaitingStaleLate(t *testing.T) {
	v := newWaiting() // the new incarnation's; the worker numbers on
	v.w.Begin()
	v.w.Asked(6)
	v.w.Finish("bound", true)
	v.w.Expired(5) // the failed incarnation's job 5 was late
	v.ranWant(t)
	if n := v.logs.Len(); n != 0 {
		t.Fatalf("logs %v: a Late of an earlier incarnation's job logged", v.logs.All())
	}
	v.w.Stop()
	v.clk.Advance(2 * kernel.Wait)
	if len(v.late) != 0 {
		t.Fatalf("Late %v after Stop: a stale Late left a bound armed that Stop no longer ends", v.late)
	}
	if diff := cmp.Diff([]string{"bound"}, v.w.Drop()); diff != "" {
		t.Fatalf("Drop (-want +got):\n%s", diff)
	}
}

// TestWaitingLateAfterStop: a Late that fired just before Stop (its
// message still on its way) lets nothing go and arms nothing.
func TestWaitingLateAfterStop(t *testing.T) {
	v := newWaiting()
	v.w.Begin()
	v.w.Asked(1)
	v.w.Finish("a", true)
	v.clk.Advance(kernel.Wait) // Late(1) posted
	v.w.Stop()
	v.w.Expired(1)
	v.ranWant(t)
	v.clk.Advance(2 * kernel.Wait)
	if diff := cmp.Diff([]uint64{1}, v.late); diff != "" {
		t.Fatalf("Late (-want +got): nothing armed after Stop\n%s", diff)
	}
}

// TestWaitingBoundPerJob: what waits for a job goes at most Wait after
// that job was asked for, also when the bound of an earlier job ran out
// first (a kernel that does not answer): the wait for the later job is
// what is left of its own Wait, not a fresh Wait from the earlier one's
// end (docs/design.md: at most kernel.Wait).
func TestWaitingBoundPerJob(t *testing.T) {
	v := newWaiting()
	v.w.Begin()
	v.w.Asked(1)
	v.w.Finish("first", true)
	v.clk.Advance(kernel.Wait * 2 / 3)
	v.w.Begin()
	v.w.Asked(2)
	v.w.Finish("second", true)
	v.w.Begin()
	v.w.Asked(3) // at the same time: one bound serves both
	v.w.Finish("third", false)
	v.clk.Advance(kernel.Wait / 3)
	if diff := cmp.Diff([]uint64{1}, v.late); diff != "" {
		t.Fatalf("Late (-want +got):\n%s", diff)
	}
	v.w.Expired(1)
	v.ranWant(t, "first")
	v.clk.Advance(kernel.Wait*2/3 - time.Second)
	if len(v.late) != 1 {
		t.Fatalf("Late %v before job 2's Wait was up", v.late)
	}
	v.clk.Advance(time.Second) // Wait after job 2 and 3 were asked for
	if diff := cmp.Diff([]uint64{1, 2}, v.late); diff != "" {
		t.Fatalf("Late (-want +got): jobs 2 and 3 bounded by their own Wait\n%s", diff)
	}
	v.w.Expired(2) // job 3's Wait is up too
	v.ranWant(t, "first", "second", "third")
	if v.w.Busy() {
		t.Fatal("Busy once every job's bound ran out")
	}
}
