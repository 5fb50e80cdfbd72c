package actors

import (
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// ifacePID finds the running actor of the interface called name among
// the system's processes (the manager spawns it under a prefix).
func (w *world) ifacePID(name string) *actor.PID {
	w.t.Helper()
	for _, bucket := range w.system.ProcessRegistry.LocalPIDs.LocalPIDs {
		for _, id := range bucket.Keys() {
			if strings.Contains(id, "if-"+name+"-") {
				return actor.NewPID(w.system.ProcessRegistry.Address, id)
			}
		}
	}
	w.t.Fatalf("no actor for %s", name)
	return nil
}

// A caller-gone report of a failed incarnation, still in the mailbox when
// the restarted one has numbered its own commands, withdraws nothing of
// the new incarnation's: the start it carried over is answered once
// bound. The numbers restarted from 1 in each incarnation, and the stale
// report withdrew the carried start, whose caller then waited for ever.
func TestRestartIgnoresEarlierCancel(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.ask(0, ipc.CmdStart, "eth0")
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	last := w.env.gens.Next() // above every number the first incarnation gave
	w.do(ipc.CmdPanic, "eth0")
	d := w.send.next(t) // the restarted incarnation acquires again
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	pid := w.ifacePID("eth0")
	for id := uint64(1); id <= last; id++ {
		w.system.Root.Send(pid, &cancelled{id: id})
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	if rep := w.await(ch); rep.Error != "" || rep.Status == nil || rep.Status.State != "BOUND" {
		t.Fatalf("start across a restart with stale cancels = %+v, want OK BOUND", rep)
	}
}
