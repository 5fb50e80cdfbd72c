package actors

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// slowListStore is a store whose list of managed interfaces takes until
// release: Store.Managed rewrites rebuilt records with fsync.
type slowListStore struct {
	*store.Store
	asked   chan struct{}
	release chan struct{}
}

func (s *slowListStore) Managed() ([]string, error) {
	close(s.asked)
	<-s.release
	return s.Store.Managed()
}

// The manager reads the stored interfaces off its Receive at start-up:
// while the disk is slow, a shutdown is answered and a command that came
// meanwhile is answered SHUTDOWN, not held behind the disk.
func TestResumeReadsStoreOffReceive(t *testing.T) {
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	slow := &slowListStore{Store: st, asked: make(chan struct{}), release: make(chan struct{})}
	defer close(slow.release)
	w := newWorld(t, fast) // for its actor system and links only
	env := &Env{Clock: w.clock, Links: w.links, Log: zap.NewNop(), Store: slow}
	mgr, err := w.system.Root.SpawnNamed(ManagerProps(env), "slow-ifaces")
	if err != nil {
		t.Fatal(err)
	}
	<-slow.asked
	start := make(chan *messages.Result, 1)
	w.system.Root.Send(mgr, &messages.Command{Ifname: "eth0", Req: messages.Start{}, Reply: start})
	stillWaiting(t, start)
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(mgr, &messages.Shutdown{Reply: done})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown not answered within 5 s: the manager waits for the disk")
	}
	select {
	case r := <-start:
		if r.Code != ipc.ErrShutdown {
			t.Fatalf("start during the resume = %+v, want SHUTDOWN", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("start not answered within 5 s")
	}
}

// resumingManager starts a manager over st, whose list of managed
// interfaces is held until the returned release, and returns it once the
// read is out.
func resumingManager(t *testing.T, w *world, st *store.Store) (mgr *actor.PID, release func()) {
	t.Helper()
	slow := &slowListStore{Store: st, asked: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	release = func() { once.Do(func() { close(slow.release) }) }
	t.Cleanup(release)
	env := &Env{Clock: w.clock, Links: w.links, Log: zap.NewNop(), Store: slow}
	mgr, err := w.system.Root.SpawnNamed(ManagerProps(env), "slow-ifaces")
	if err != nil {
		t.Fatal(err)
	}
	<-slow.asked
	return mgr, release
}

// What waits for the resume is bounded: at most maxEarly commands wait,
// and one more is answered LIMIT at once. Link events take no room: none
// waits, for until the resume is in nothing is managed that they could
// concern, and the lookups that follow read the kernel after every event
// that came. Those that waited are answered once the resume is in.
func TestResumeHoldBounded(t *testing.T) {
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, fast) // for its actor system and links only
	mgr, release := resumingManager(t, w, st)
	for i := range 2 * maxEarly {
		w.system.Root.Send(mgr, &messages.Link{Ifname: "eth1", Up: i%2 == 0})
	}
	waiting := make([]chan *messages.Result, maxEarly)
	for i := range waiting {
		waiting[i] = make(chan *messages.Result, 1)
		w.system.Root.Send(mgr, &messages.Command{Ifname: "eth1", Req: messages.Status{}, Reply: waiting[i]})
	}
	over := make(chan *messages.Result, 1)
	w.system.Root.Send(mgr, &messages.Command{Ifname: "eth1", Req: messages.Status{}, Reply: over})
	select {
	case r := <-over:
		if r.Code != ipc.ErrLimit {
			t.Fatalf("a command beyond the bound = %+v, want LIMIT", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a command beyond the bound was not answered within 5 s")
	}
	stillWaiting(t, waiting[maxEarly-1])
	release()
	for i, ch := range waiting {
		select {
		case r := <-ch:
			if r.Code != ipc.ErrUnkIf {
				t.Fatalf("held command %d = %+v, want UNKIF (eth1 is not managed)", i, r)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("held command %d not answered within 5 s", i)
		}
	}
}

// A stored interface whose link is deleted while the store is read is
// found missing by its lookup, and resumes when its link appears
// (TestDeletedLinkResumesWhenItAppears): the event is not lost for not
// waiting.
func TestResumeLinkDeletedDuringRead(t *testing.T) {
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateInterface("eth0", func(r *store.Interface) { r.Managed = true }); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, fast)
	mgr, release := resumingManager(t, w, st)
	w.links.mu.Lock()
	delete(w.links.known, "eth0")
	w.links.mu.Unlock()
	w.system.Root.Send(mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	release()
	waitFor(t, "eth0 reported gone", func() bool {
		ch := make(chan *messages.Result, 1)
		w.system.Root.Send(mgr, &messages.Command{Ifname: "eth0", Req: messages.Status{}, Reply: ch})
		select {
		case r := <-ch:
			return r.Code == ipc.ErrUnkIf && strings.Contains(r.Message, "link is gone")
		case <-time.After(5 * time.Second):
			t.Fatal("status not answered within 5 s")
			return false
		}
	})
}
