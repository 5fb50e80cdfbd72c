package messages

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/clock/clocktest"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/store"
)

func mkCommand() (*Command, chan *Result) {
	ch := make(chan *Result, 1)
	return &Command{Req: Ping{}, Reply: ch}, ch
}

// Commands queued for an actor that stops are answered by the manager
// with the reason, once each.
func TestInflightAnsweredOnce(t *testing.T) {
	f := make(Inflight)
	pid := actor.NewPID("local", "if-eth0-1")
	done, doneCh := mkCommand()
	queued, queuedCh := mkCommand()
	f.Add(pid, done)
	done.Answer(OK())
	f.Add(pid, queued)
	if n := len(f[pid.Id]); n != 1 {
		t.Fatalf("%d commands remembered, want the unanswered one", n)
	}
	f.Stopped(pid, ipc.ErrFailedIf, "eth0", &store.Recorder{}, nil, nil)
	if r := <-queuedCh; r.Code != ipc.ErrFailedIf {
		t.Fatalf("queued command = %+v, want FAILEDIF", r)
	}
	if r := <-doneCh; r.Failed() {
		t.Fatalf("answered command = %+v, want its first answer", r)
	}
	select {
	case r := <-doneCh:
		t.Fatalf("second answer %+v", r)
	default:
	}
	if _, ok := f[pid.Id]; ok {
		t.Fatal("the stopped actor's entry is kept")
	}
}

// The answers of a stopped actor's commands wait for the interface's
// kernel work: an answer the actor gave behind it comes first. A kernel
// that does not answer holds them at most kernel.Wait.
func TestInflightStoppedBehindKernel(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	k := kernel.NewWorker(kernel.Effects{}, "eth0", nil)
	gate := make(chan struct{})
	k.Job(func(*kernel.Worker) []error { <-gate; return nil }, func(uint64, []error) {})
	f := make(Inflight)
	pid := actor.NewPID("local", "if-eth0-1")
	c, ch := mkCommand()
	f.Add(pid, c)
	f.Stopped(pid, ipc.ErrUnkIf, "eth0", &store.Recorder{}, k, clk)
	clk.Advance(kernel.Wait - time.Second)
	select {
	case r := <-ch:
		t.Fatalf("answered %+v while the kernel work was running", r)
	default:
	}
	clk.Advance(time.Second)
	select {
	case r := <-ch:
		if r.Code != ipc.ErrUnkIf {
			t.Fatalf("answer %+v, want UNKIF", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no answer once kernel.Wait had passed")
	}
	close(gate)
}

// A command whose caller stopped waiting is dropped at the next Add: the
// list holds no more than the callers waiting (an unprivileged flood of
// --wait 0 requests leaves nothing behind); Take returns what is left.
func TestInflightDropsGivenUp(t *testing.T) {
	f := make(Inflight)
	pid := actor.NewPID("local", "ifaces")
	ctx, cancel := context.WithCancel(context.Background())
	gone, _ := mkCommand()
	gone.Ctx = ctx
	f.Add(pid, gone)
	cancel()
	waiting, _ := mkCommand()
	f.Add(pid, waiting)
	if got := f.Take(pid); len(got) != 1 || got[0] != waiting {
		t.Fatalf("Take = %v, want only the command still waited for", got)
	}
	if _, ok := f[pid.Id]; ok {
		t.Fatal("Take kept the entry")
	}
}
