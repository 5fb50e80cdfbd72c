package actors

import (
	"context"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// Any user may ask status (SPEC §3): asked with --wait 0 while the stored
// interfaces are read, each is answered TIMEOUT at once and its
// connection let go, but the command stayed held. maxEarly of them made
// root's start LIMIT for as long as the read lasted, while the user held
// nothing. A full hold lets go what nobody waits for first; a change
// whose caller went is still carried out (TIMEOUT leaves it running).
func TestResumeHoldLetsAbandonedGo(t *testing.T) {
	w := newWorld(t, fast)
	mgr, release := resumingManager(t, w, emptyStore(t))
	gone, cancel := context.WithCancel(context.Background())
	for range maxEarly {
		w.system.Root.Send(mgr, &messages.Command{Ifname: "eth1", Req: messages.Status{}, Ctx: gone,
			Reply: make(chan *messages.Result, 1)})
	}
	cancel()
	root := command(w, mgr, "eth1", messages.Ping{})
	stillWaiting(t, root)
	release()
	if r := w.result(root); r.Code != ipc.ErrUnkIf {
		t.Fatalf("root's command = %+v, want UNKIF (eth1 is not managed), not LIMIT", r)
	}
}

// Changes are never let go: a full hold of starts whose callers went is
// still full.
func TestResumeHoldKeepsAbandonedChanges(t *testing.T) {
	w := newWorld(t, fast)
	mgr, release := resumingManager(t, w, emptyStore(t))
	defer release()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for range maxEarly {
		w.system.Root.Send(mgr, &messages.Command{Ifname: "eth1", Req: messages.Drop{}, Ctx: gone,
			Reply: make(chan *messages.Result, 1)})
	}
	if r := w.result(command(w, mgr, "eth1", messages.Status{})); r.Code != ipc.ErrLimit {
		t.Fatalf("a command beyond the held changes = %+v, want LIMIT", r)
	}
}

// The same for the interface actor's hold while its lease record is read
// (a hung disk): ping IF --wait 0 from any user left a ping held each,
// and maxHeld of them made root's commands for the interface LIMIT.
func TestHeldWhileRecordLoadsLetsAbandonedGo(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.loading()
	gone, cancel := context.WithCancel(context.Background())
	for range maxHeld { // with the start: beyond it
		w.system.Root.Send(w.mgr, &messages.Command{Ifname: "eth0", Req: messages.Ping{}, Ctx: gone,
			Reply: make(chan *messages.Result, 1)})
	}
	cancel()
	root := w.direct("eth0", messages.Ping{})
	// status is answered at once while the record loads, in order
	// behind the pings: once it is, the actor has taken them all.
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != "" {
		t.Fatalf("status while loading = %+v", r)
	}
	stillWaiting(t, root)
	release()
	if r := w.grant(start, 120); r.Error != "" {
		t.Fatalf("start = %+v", r)
	}
	if r := w.result(root); r.Failed() {
		t.Fatalf("root's ping = %+v, want it held and answered, not LIMIT", r)
	}
}
