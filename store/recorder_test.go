package store

import (
	"sync"
	"testing"
	"time"
)

// heldLeases is the store with lease writes a test can hold, as a slow
// disk would.
type heldLeases struct {
	*Store
	asked   chan struct{} // a write has begun and waits for release
	release chan struct{}
	mu      sync.Mutex
	saves   int
}

func (s *heldLeases) SaveLease(l *Lease) error {
	s.mu.Lock()
	s.saves++
	first := s.saves == 1
	s.mu.Unlock()
	if first {
		close(s.asked)
		<-s.release
	}
	return s.Store.SaveLease(l)
}

// TestRecorder: writes run in order off the caller; while one is out, the
// lease record reads as asked for, later writes of it fold into one, and
// After waits behind them; idle, After runs at once.
func TestRecorder(t *testing.T) {
	st, _ := open(t)
	disk := &heldLeases{Store: st, asked: make(chan struct{}), release: make(chan struct{})}
	r := NewRecorder(disk, "eth0", nil)
	rec := func(addr string) *Lease {
		l := record(t)
		l.Address = addr
		return l
	}
	r.SetLease(rec("198.18.0.101/24"))
	<-disk.asked
	if l, _ := r.LoadLease(); l == nil || l.Address != "198.18.0.101/24" {
		t.Fatalf("LoadLease while written = %+v, want the record being written", l)
	}
	for _, a := range []string{"198.18.0.102/24", "198.18.0.103/24", "198.18.0.104/24"} {
		r.SetLease(rec(a))
	}
	done := make(chan struct{})
	r.After(func() { close(done) })
	select {
	case <-done:
		t.Fatal("After ran before the writes queued ahead of it")
	default:
	}
	if l, _ := r.LoadLease(); l == nil || l.Address != "198.18.0.104/24" {
		t.Fatalf("LoadLease with writes queued = %+v, want the latest asked for", l)
	}
	close(disk.release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("After never ran")
	}
	disk.mu.Lock()
	n := disk.saves
	disk.mu.Unlock()
	if n != 2 {
		t.Errorf("%d writes, want 2: the one in flight and one for the three queued behind it", n)
	}
	if l, _ := st.LoadLease("eth0"); l == nil || l.Address != "198.18.0.104/24" {
		t.Fatalf("on disk %+v, want the latest record", l)
	}
	waitFor(t, r.Idle)
	ran := false
	r.After(func() { ran = true })
	if !ran {
		t.Fatal("After did not run at once with nothing to write")
	}
	r.SetLease(nil)
	r.After(func() {})
	waitFor(t, func() bool { l, _ := st.LoadLease("eth0"); return l == nil })
	if l, err := r.LoadLease(); l != nil || err != nil {
		t.Fatalf("LoadLease after delete = %+v, %v", l, err)
	}
}

// TestRecorderFailedWriteRereads: after a write fails, what the disk has
// is not known, and the next LoadLease reads it.
func TestRecorderFailedWriteRereads(t *testing.T) {
	st, _ := open(t)
	r := NewRecorder(st, "eth0", nil)
	good := record(t)
	if err := st.SaveLease(good); err != nil {
		t.Fatal(err)
	}
	bad := record(t)
	bad.Ifname = "../eth0" // refused by SaveLease
	r.SetLease(bad)
	done := make(chan struct{})
	r.After(func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the failed write never ended")
	}
	if l, err := r.LoadLease(); err != nil || l == nil || l.Address != good.Address || l.Ifname != "eth0" {
		t.Fatalf("LoadLease after a failed write = %+v, %v; want the disk's record", l, err)
	}
}
