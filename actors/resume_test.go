package actors

import (
	"testing"
	"time"

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
