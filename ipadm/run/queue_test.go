package run

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

func queued() (*messages.Command, chan *messages.Result) {
	ch := make(chan *messages.Result, 1)
	return &messages.Command{Req: messages.ShowIf{}, Reply: ch}, ch
}

func none(ipadm.Configs) ([]ipadm.Plan, error) { return nil, nil }

// TestQueueOrderAndBound: jobs come out in order, the agent's own first
// job ahead; beyond MaxQueue a command is answered LIMIT at once.
func TestQueueOrderAndBound(t *testing.T) {
	var q Queue
	a, _ := queued()
	q.Add(a, none)
	q.First(Job{Decide: none})
	if j, ok := q.Next(); !ok || j.C != nil {
		t.Fatalf("first job %+v %v, want the agent's own", j, ok)
	}
	if j, ok := q.Next(); !ok || j.C != a {
		t.Fatalf("second job %+v %v, want the command", j, ok)
	}
	if _, ok := q.Next(); ok {
		t.Fatal("a job left in an emptied queue")
	}
	for i := 0; i < MaxQueue; i++ {
		c, _ := queued()
		q.Add(c, none)
	}
	c, ch := queued()
	q.Add(c, none)
	if r := <-ch; r.Code != ipc.ErrLimit {
		t.Fatalf("over the bound: %+v, want LIMIT", r)
	}
}

// TestQueueStop: queued commands and later ones are answered SHUTDOWN,
// the shutdown job is the only one left and nothing goes ahead of it.
func TestQueueStop(t *testing.T) {
	var q Queue
	a, ach := queued()
	q.Add(a, none)
	q.Add(nil, none) // the agent's own: nobody to answer
	done := make(chan *messages.Result, 1)
	q.Stop(Job{Done: done, Decide: none})
	if !q.Closing() {
		t.Fatal("not closing after Stop")
	}
	if r := <-ach; r.Code != ipc.ErrShutdown {
		t.Fatalf("queued: %+v, want SHUTDOWN", r)
	}
	b, bch := queued()
	q.Add(b, none)
	if r := <-bch; r.Code != ipc.ErrShutdown {
		t.Fatalf("after Stop: %+v, want SHUTDOWN", r)
	}
	q.First(Job{Decide: none})
	if j, ok := q.Next(); !ok || j.Done == nil {
		t.Fatalf("job %+v %v, want the shutdown job", j, ok)
	}
	if _, ok := q.Next(); ok {
		t.Fatal("a job besides the shutdown job")
	}
}

// TestQueueDrop: a restart answers every queued command r and every
// job's Done OK, and empties the queue.
func TestQueueDrop(t *testing.T) {
	var q Queue
	a, ach := queued()
	q.Add(a, none)
	q.Add(nil, none)
	q.Drop(messages.Fail(ipc.ErrInternal, "restarted"))
	if r := <-ach; r.Code != ipc.ErrInternal {
		t.Fatalf("dropped: %+v, want INTERNAL", r)
	}
	done := make(chan *messages.Result, 1)
	q.Stop(Job{Done: done, Decide: none})
	q.Drop(messages.Fail(ipc.ErrInternal, "restarted"))
	if r := <-done; r.Failed() {
		t.Fatalf("shutdown job's Done: %+v, want OK", r)
	}
	if _, ok := q.Next(); ok {
		t.Fatal("a job left after Drop")
	}
}
