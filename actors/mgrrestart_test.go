package actors

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// A manager that fails is restarted by its supervisor (protoactor's
// default for the agent's top-level actors) and starts afresh: its next
// incarnation resumes the stored interfaces, and knows nothing of what
// the failed one held. What that held is answered as it restarts: a
// start waiting for its link's lookup, and the commands in the mailbox
// of an interface actor, which protoactor stops with the manager. They
// were never answered: with --wait -1 their callers waited for ever.
func TestManagerRestartAnswersWhatItHeld(t *testing.T) {
	w := newWorld(t, fast)
	arm, asked, release := w.armedSend()
	looking, found := w.links.hold("eth1")
	defer found()
	start1 := w.counted(ipc.CmdStart, "eth1")
	<-looking // eth1's start waits for its lookup
	arm()
	start0 := w.counted(ipc.CmdStart, "eth0")
	<-asked // eth0's actor is in Receive, sending its DISCOVER
	ping := w.counted(ipc.CmdPing, "eth0")
	w.do(ipc.CmdPing, "lo") // the manager has sent eth0's actor the ping
	// A bug in the manager: an answer to a lookup it did not ask for,
	// malformed.
	w.system.Root.Send(w.mgr, &looked{names: []string{"eth0"}})
	for _, c := range []counted{start1, ping} {
		if r := w.one(c); r.Code != ipc.ErrInternal {
			t.Errorf("%s held by the failed manager = %s %s, want INTERNAL", c.name, r.Code, r.Message)
		}
	}
	release()
	if r := w.one(start0); !r.Failed() {
		t.Errorf("%s, its actor stopped with the manager = OK, want a failure", start0.name)
	}
	// The next incarnation serves, once it has resumed the stored
	// interfaces (its reads and writes are done before the test's
	// directory goes).
	if r := w.do(ipc.CmdStatus, ""); r.Error != "" {
		t.Fatalf("status of all after the restart = %+v", r)
	}
}

// TestManagerRestartDuringShutdown: a manager that fails while the agent
// stops is restarted still stopping: it resumes none of the stored
// interfaces (the agent is about to exit: one resumed would be left
// acquiring, or configured, behind it) and answers what comes SHUTDOWN;
// and the stop it was waiting for is answered once its actors, stopped
// with it, are gone, not shutdownWait (60 s) later.
func TestManagerRestartDuringShutdown(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	arm, asked, release := w.armedSend()
	arm()
	done := make(chan *messages.Result, 1)
	w.system.Root.Send(w.mgr, &messages.Shutdown{Release: true, Reply: done})
	<-asked // eth0's actor is in Receive, sending its RELEASE
	// A bug in the manager: an answer to a lookup it did not ask for,
	// malformed.
	w.system.Root.Send(w.mgr, &looked{names: []string{"eth0"}})
	status := w.ask(0, ipc.CmdStatus, "")
	release()
	if r := w.await(status); r.Error != ipc.ErrShutdown {
		t.Fatalf("status of all after the restart = %+v, want SHUTDOWN", r)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the agent's stop not answered within 5 s of the manager's restart")
	}
	if r := w.do(ipc.CmdStart, "eth1"); r.Error != ipc.ErrShutdown {
		t.Fatalf("start after the restart = %+v, want SHUTDOWN", r)
	}
}

// TestManagerRestartAnswersParked: a start that waits in the manager for
// an older actor of its interface to stop (parked) is answered as the
// manager restarts, as everything else it held is: the next incarnation
// knows nothing of it.
func TestManagerRestartAnswersParked(t *testing.T) {
	w := newWorld(t, fast)
	held, dropped := w.dropAheadOfLinkReturn()
	start := w.direct("eth0", messages.Start{})
	w.result(w.direct("eth0", messages.Ping{}))                 // the start is parked
	w.system.Root.Send(w.mgr, &looked{names: []string{"eth0"}}) // a bug in the manager
	if r := w.result(start); r.Code != ipc.ErrInternal {
		t.Fatalf("parked start = %+v, want INTERNAL", r)
	}
	// The old actor, if it took the status before the restart stopped
	// it, waits for its answer to be taken.
	go func() {
		select {
		case <-held:
		case <-w.ended:
		}
	}()
	w.result(dropped)
	if r := w.do(ipc.CmdStatus, ""); r.Error != "" {
		t.Fatalf("status of all after the restart = %+v", r)
	}
}
