package actors

import (
	"strings"
	"sync"
	"testing"

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

// resumingManager starts a manager over st, whose list of managed
// interfaces is held until the returned release, and returns it once the
// read is out.
func resumingManager(t *testing.T, w *world, st *store.Store) (mgr *actor.PID, release func()) {
	t.Helper()
	slow := &slowListStore{Store: st, asked: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	release = func() { once.Do(func() { close(slow.release) }) }
	t.Cleanup(release)
	// The world's sockets and kernel, for the interfaces it resumes.
	env := &Env{Clock: w.clock, Sender: w.send, Router: w.disp, ARP: w.arp, Net: w.net, Links: w.links,
		Log: zap.NewNop(), Store: slow}
	env.Config.Store(w.env.Cfg())
	mgr, err := w.system.Root.SpawnNamed(ManagerProps(env), "slow-ifaces")
	if err != nil {
		t.Fatal(err)
	}
	<-slow.asked
	return mgr, release
}

// command sends mgr a command for ifname, in order with the test's other
// messages to it; w.result waits for its result.
func command(w *world, mgr *actor.PID, ifname string, req messages.Request) <-chan *messages.Result {
	ch := make(chan *messages.Result, 1)
	w.system.Root.Send(mgr, &messages.Command{Ifname: ifname, Req: req, Reply: ch})
	return ch
}

// emptyStore is a store in a temporary directory.
func emptyStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The manager reads the stored interfaces off its Receive at start-up:
// while the disk is slow, a shutdown is answered and a command that came
// meanwhile is answered SHUTDOWN, not held behind the disk.
func TestResumeReadsStoreOffReceive(t *testing.T) {
	w := newWorld(t, fast) // for its actor system and links only
	mgr, _ := resumingManager(t, w, emptyStore(t))
	start := command(w, mgr, "eth0", messages.Start{})
	stillWaiting(t, start)
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(mgr, &messages.Shutdown{Reply: done})
	w.result(done) // not held behind the disk
	if r := w.result(start); r.Code != ipc.ErrShutdown {
		t.Fatalf("start during the resume = %+v, want SHUTDOWN", r)
	}
}

// What waits for the resume is bounded: at most maxEarly commands wait,
// and one more is answered LIMIT at once. Link events take no room: none
// waits, for until the resume is in nothing is managed that they could
// concern, and the lookups that follow read the kernel after every event
// that came. Those that waited are answered once the resume is in.
func TestResumeHoldBounded(t *testing.T) {
	w := newWorld(t, fast) // for its actor system and links only
	mgr, release := resumingManager(t, w, emptyStore(t))
	for i := range 2 * maxEarly {
		w.system.Root.Send(mgr, &messages.Link{Ifname: "eth1", Up: i%2 == 0})
	}
	waiting := make([]<-chan *messages.Result, maxEarly)
	for i := range waiting {
		waiting[i] = command(w, mgr, "eth1", messages.Status{})
	}
	if r := w.result(command(w, mgr, "eth1", messages.Status{})); r.Code != ipc.ErrLimit {
		t.Fatalf("a command beyond the bound = %+v, want LIMIT", r)
	}
	stillWaiting(t, waiting[maxEarly-1])
	release()
	for i, ch := range waiting {
		if r := w.result(ch); r.Code != ipc.ErrUnkIf {
			t.Fatalf("held command %d = %+v, want UNKIF (eth1 is not managed)", i, r)
		}
	}
}

// A stored interface whose link is deleted while the store is read is
// found missing by its lookup, and resumes when its link appears
// (TestDeletedLinkResumesWhenItAppears): the event is not lost for not
// waiting.
func TestResumeLinkDeletedDuringRead(t *testing.T) {
	st := emptyStore(t)
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
		r := w.result(command(w, mgr, "eth0", messages.Status{}))
		return r.Code == ipc.ErrUnkIf && strings.Contains(r.Message, "link is gone")
	})
}

// A status of every interface asked while the stored interfaces' links
// are being looked up waits for them: it shows the interfaces that resume
// (the agent's READY=1 summary is one), not an empty list because no actor
// was spawned yet.
func TestStatusAllWaitsForResumeLookups(t *testing.T) {
	st := emptyStore(t)
	if err := st.UpdateInterface("eth0", func(r *store.Interface) { r.Managed = true }); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, fast)
	asked, releaseLookup := w.links.hold("eth0")
	t.Cleanup(releaseLookup)
	mgr, release := resumingManager(t, w, st)
	release()
	<-asked // the store is read; eth0's link is being looked up
	all := command(w, mgr, "", messages.Status{})
	stillWaiting(t, all)
	releaseLookup()
	r := w.result(all)
	if r.Failed() || len(r.Statuses) != 1 || r.Statuses[0].Ifname != "eth0" {
		t.Fatalf("status of all during the resume's lookups = %+v, want eth0's", r)
	}
}
