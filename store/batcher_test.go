package store

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBatcherCoversLaterCallers: every caller returns only after a round
// that started after it called, and callers arriving during a round share
// the next one.
func TestBatcherCoversLaterCallers(t *testing.T) {
	var rounds atomic.Int64
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	var running atomic.Int64
	g := newBatcher(func() error {
		if running.Add(1) != 1 {
			t.Error("two rounds at once")
		}
		defer running.Add(-1)
		rounds.Add(1)
		entered <- struct{}{}
		<-release
		return nil
	})
	// The first caller starts round 1 and holds it.
	first := make(chan error, 1)
	go func() { first <- g.run() }()
	<-entered
	// Ten callers arrive while round 1 runs: it may predate their writes,
	// so they must wait for round 2, which they share.
	var wg sync.WaitGroup
	var late atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.run(); err != nil {
				t.Error(err)
			}
			if rounds.Load() < 2 {
				t.Error("a caller that arrived during round 1 returned before round 2")
			}
			late.Add(1)
		}()
	}
	waitFor(t, func() bool { // all ten are parked behind round 1
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.waiting == 10
	})
	release <- struct{}{} // round 1 ends
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-entered // round 2 began: one of the ten started it
	release <- struct{}{}
	wg.Wait()
	if n := rounds.Load(); n != 2 {
		t.Errorf("%d rounds for 11 callers, want 2", n)
	}
	if late.Load() != 10 {
		t.Errorf("%d late callers returned", late.Load())
	}
}

// waitFor polls cond until it holds, for at most 10 s; the condition
// involves goroutines parking, or an fsync finishing, which nothing else
// signals. Bounded by time, not by a number of polls: on a loaded machine
// an fsync outlasted 100000 yields (TestRecorderManage failed in CI so).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		runtime.Gosched()
	}
	if !cond() {
		t.Fatal("condition never held within 10 s")
	}
}

func TestBatcherReportsError(t *testing.T) {
	bad := errors.New("EIO")
	g := newBatcher(func() error { return bad })
	if err := g.run(); !errors.Is(err, bad) {
		t.Errorf("sync = %v, want %v", err, bad)
	}
}

// TestConcurrentUpdates: many interfaces updated at once, some twice, end
// with every record on disk as the last update left it.
func TestConcurrentUpdates(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("c%d", i)
			v := uint32(i)
			if err := s.UpdateInterface(name, func(r *Interface) { r.IAID = &v }); err != nil {
				t.Error(err)
			}
			if err := s.UpdateInterface(name, func(r *Interface) { r.Managed = i%2 == 0 }); err != nil {
				t.Error(err)
			}
			l := record(t)
			l.Ifname = name
			if err := s.SaveLease(l); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	again, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	managed, err := again.Managed()
	if err != nil || len(managed) != 100 {
		t.Fatalf("managed %d interfaces (%v), want 100", len(managed), err)
	}
	for i := range 200 {
		name := fmt.Sprintf("c%d", i)
		rec, err := again.Interface(name)
		if err != nil || rec.IAID == nil || *rec.IAID != uint32(i) || rec.Managed != (i%2 == 0) {
			t.Errorf("%s: %+v, %v", name, rec, err)
		}
		if l, err := again.LoadLease(name); err != nil || l == nil {
			t.Errorf("%s lease: %v, %v", name, l, err)
		}
	}
}
