package actors

import (
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// RFC 8925 through the actors: start is answered at once with the V6ONLY
// status and the instant DHCPv4 resumes, status and watch show it, nothing
// is applied, a second start is RUNNING, and a DISCOVER goes out again
// when V6ONLY_WAIT is over.
func TestV6OnlyStartAnsweredAtOnce(t *testing.T) {
	w := newWorld(t, fast+"IPV6_ONLY_PREFERRED=yes\n")
	events, stop := w.events.Subscribe()
	defer stop()
	began := w.clock.Now()
	ch := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	if !d.msg.IsOptionRequested(dhcpv4.OptionIPv6OnlyPreferred) {
		t.Fatal("DISCOVER does not request option 108")
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithOption(dhcpv4.OptIPv6OnlyPreferred(600*time.Second)))
	r := w.await(ch)
	until := began.Add(600 * time.Second)
	if r.Error != "" || r.Status == nil || r.Status.State != "V6ONLY" || r.Status.V6OnlyUntil == nil ||
		!r.Status.V6OnlyUntil.Equal(until) || r.Status.Address != "" {
		t.Fatalf("start = %+v (status %+v), want OK with V6ONLY until %v and no address", r, r.Status, until)
	}
	if st := w.do(ipc.CmdStatus, "eth0").Status; st.State != "V6ONLY" || len(st.Flags) != 0 {
		t.Fatalf("status %+v, want V6ONLY without flags (not BUSY)", st)
	}
	if r := w.do(ipc.CmdStart, "eth0"); r.Error != ipc.ErrRunning || !strings.Contains(r.Message, "RFC 8925") {
		t.Fatalf("second start = %+v, want RUNNING naming RFC 8925", r)
	}
	if applied, _ := w.net.Snapshot(); len(applied) != 0 {
		t.Fatalf("applied %v on an IPv6-only network", applied)
	}
	for seen := false; !seen; {
		select {
		case ev := <-events:
			if ev.Kind == "state" && ev.State == "V6ONLY" {
				if ev.From != "SELECTING" || ev.Until == nil || !ev.Until.Equal(until) {
					t.Fatalf("watch event %+v, want SELECTING -> V6ONLY until %v", ev, until)
				}
				seen = true
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no V6ONLY event")
		}
	}
	w.send.none(t)
	w.clock.Advance(600 * time.Second)
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	waitFor(t, "SELECTING", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "SELECTING" })
}
