package run_test

import (
	"context"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"

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

// The status show-addr asks of a DHCP object's interface is withdrawn
// with the listing: it had no context, so while the manager read the
// store (its start-up hold) every show-addr --wait 0 of any user left
// one held per DHCP object that nothing let go, and 1024 of them made
// root's start LIMIT.
func TestShowAddrStatusWithdrawn(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(h *host, d deadline, cancel func())
	}{
		{"the caller goes", func(_ *host, _ deadline, cancel func()) { cancel() }},
		{"the listing is answered", func(_ *host, d deadline, _ func()) { d.fire <- time.Time{} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t)
			cfg := ipadm.NewConfigs()
			cfg.Active.Addresses[dhcp.Object] = dhcp
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := command("", 0)
			c.Ctx = ctx
			h.r.ShowAddr(cfg, c.Command, "")
			status := h.manager()
			d := h.deadline()
			if status.Ctx == nil || status.Ctx.Err() != nil {
				t.Fatalf("the status asked for the listing has context %v, want one the listing waits on", status.Ctx)
			}
			tt.end(h, d, cancel)
			if tt.name == "the listing is answered" {
				h.result(c)
			}
			select {
			case <-status.Ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the status asked is still waited for once the listing's caller is gone or answered")
			}
			if !status.Abandoned() {
				t.Error("the status asked is not Abandoned")
			}
		})
	}
}
