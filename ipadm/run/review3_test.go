package run_test

import (
	"context"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipadm/run"
	"github.com/dhcpagent/dhcpagent/messages"
)

// An unprivileged user may list the objects (SPEC §3): asked with --wait 0
// while the agent starts, each listing is answered TIMEOUT at once and
// its connection is let go, but the listing stayed held. MaxQueue of them
// made every later listing LIMIT, root's too, for as long as the
// start-up lasted, while the user held no connection. A full hold lets
// go the listings nobody waits for before it refuses one.
func TestSchedulerHoldLetsAbandonedGo(t *testing.T) {
	h := newHost(t)
	h.noDeadlines()
	in := h.start(run.NewShared(), persistent{{Name: "eth0", Families: v4}})
	gone, cancel := context.WithCancel(context.Background())
	abandoned := make([]*call, run.MaxQueue)
	for i := range abandoned {
		c := command("", 0)
		c.Req, c.Ctx = messages.ShowIf{}, gone
		in.s.Command(c.Command)
		abandoned[i] = c
	}
	cancel() // each caller's wait ran out
	root := in.do("", messages.ShowIf{})
	select {
	case r := <-root.reply:
		t.Fatalf("root's show-if while the abandoned ones are held = %+v, want it held", r)
	default:
	}
	in.boot()
	if r := h.result(root); r.Failed() || len(r.Interfaces) != 1 {
		t.Errorf("root's show-if = %+v, want eth0", r)
	}
}
