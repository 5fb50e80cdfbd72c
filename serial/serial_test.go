package serial

import (
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"
)

// TestQueue: jobs run in the order queued, off the caller; After waits
// behind them, and runs at once on an idle queue.
func TestQueue(t *testing.T) {
	var q Queue
	hold := make(chan struct{})
	var order []int
	q.Do(func() { <-hold; order = append(order, 1) })
	q.Do(func() { order = append(order, 2) })
	done := make(chan struct{})
	q.After(func() { close(done) })
	if q.Idle() {
		t.Fatal("idle with jobs queued")
	}
	select {
	case <-done:
		t.Fatal("After ran before the jobs queued ahead of it")
	default:
	}
	close(hold)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("After never ran")
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Fatalf("order %v, want [1 2]", order)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !q.Idle() {
		runtime.Gosched()
		if time.Now().After(deadline) {
			t.Fatal("the queue never went idle")
		}
	}
	ran := false
	q.After(func() { ran = true })
	if !ran {
		t.Fatal("After did not run at once on an idle queue")
	}
}

// TestNamed: one T per name, made once.
func TestNamed(t *testing.T) {
	var n Named[int]
	made := 0
	newT := func() *int { made++; v := made; return &v }
	a, b, a2 := n.Get("eth0", newT), n.Get("eth1", newT), n.Get("eth0", newT)
	if a != a2 || a == b || made != 2 {
		t.Fatalf("eth0 %p then %p, eth1 %p, %d made; want eth0's made once", a, a2, b, made)
	}
	if len(n.All()) != 2 {
		t.Fatalf("All = %d, want 2", len(n.All()))
	}
}

// worker stands for what the agent keeps by name (a recorder, a kernel
// worker): bigger than 16 bytes, as they are. An *int would be a tiny
// object, which the runtime batches with others in one allocation slot:
// its cleanup may never run while a neighbour lives (runtime.AddCleanup),
// and the test failed about 1 run in 4 without -race, a registry of
// recorders never.
type worker struct {
	n   int
	pad [3]int
}

// collect runs the garbage collector until n holds at most want names
// (their cleanups run on a goroutine of the runtime's), or gives up.
func collect[T any](n *Named[T], want int) int {
	size := func() int { n.mu.Lock(); defer n.mu.Unlock(); return len(n.m) }
	for i := 0; i < 200 && size() > want; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	return size()
}

// TestNamedForgetsUnheld: with names coming and going (months of
// interface churn), the registry holds only the Ts someone holds or that
// are kept; a held T is the one every Get of its name returns, and a
// name whose T was forgotten gets a new one.
func TestNamedForgetsUnheld(t *testing.T) {
	var n Named[worker]
	made := 0
	newT := func() *worker { made++; return &worker{n: made} }
	held := n.Get("eth0", newT)
	kept := n.Get("eth1", newT)
	n.Keep("eth1", kept, true)
	keptValue := kept.n
	kept = nil
	for i := range 1000 {
		n.Get(fmt.Sprintf("veth%d", i), newT) // used once, then no one's
	}
	if got := collect(&n, 2); got != 2 {
		t.Fatalf("%d names held after 1000 unheld ones, want 2 (eth0 held, eth1 kept)", got)
	}
	if again := n.Get("eth0", newT); again != held {
		t.Fatal("a held T was replaced")
	}
	if k := n.Get("eth1", newT); k.n != keptValue {
		t.Fatalf("eth1 is T %d, want the kept %d", *k, keptValue)
	} else {
		n.Keep("eth1", k, false)
	}
	if got := collect(&n, 1); got != 1 {
		t.Fatalf("%d names held once eth1 is let go, want 1", got)
	}
	before := made
	if v := n.Get("veth7", newT); v.n != before+1 {
		t.Fatalf("a forgotten name's Get returned T %d, want a new one (%d)", v.n, before+1)
	}
	runtime.KeepAlive(held)
}

// TestNamedQueueHeldWhileRunning: a T whose queue still has jobs is not
// forgotten, though no one else holds it: a second T of the name would
// run its jobs beside the first's.
func TestNamedQueueHeldWhileRunning(t *testing.T) {
	var n Named[Queue]
	hold := make(chan struct{})
	done := make(chan struct{})
	n.Get("eth0", func() *Queue { return new(Queue) }).Do(func() { <-hold; close(done) })
	if got := collect(&n, 0); got != 1 {
		t.Fatalf("%d names held with eth0's job running, want 1", got)
	}
	q := n.Get("eth0", func() *Queue { return new(Queue) })
	if q.Idle() {
		t.Fatal("Get made a second queue for eth0 while its job runs")
	}
	close(hold)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("eth0's job never ended")
	}
}

// TestNamedKeptLetsRegistryGo: a registry that keeps a T (Keep) is
// collected with its owner: the cleanup that forgets a collected T's name
// holds the registry only weakly (it held it strongly, and the kept T
// from there: a test's whole world, actor system included, stayed for
// ever, 24 GB after a -count=30 run of the actors' tests).
func TestNamedKeptLetsRegistryGo(t *testing.T) {
	type big struct{ b [64]byte }
	n := &Named[big]{}
	v := n.Get("eth0", func() *big { return new(big) })
	n.Keep("eth0", v, true)
	gone := weak.Make(n)
	n, v = nil, nil
	runtime.GC()
	runtime.GC()
	if gone.Value() != nil {
		t.Fatal("a registry keeping a T outlived its owner")
	}
}
