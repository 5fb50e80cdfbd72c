package hook

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// started is one Start the driver asked of startOn.
type started struct {
	event string
	env   []string
	done  func(error)
}

// startOn is a Starter that hands each start to the test, answering err.
type startOn struct {
	runs chan started
	err  error
}

func (s startOn) Start(ifname, event string, env []string, done func(error)) error {
	s.runs <- started{event, env, done}
	return s.err
}

// driven is a Driver under test with what it did.
type driven struct {
	d        *Driver
	replies  []uint64 // the IDs of the replies sent, in order
	outcomes chan *Outcome
	logs     *observer.ObservedLogs
}

func newDriven(hooks Starter) *driven {
	core, logs := observer.New(zap.InfoLevel)
	v := &driven{outcomes: make(chan *Outcome, 4), logs: logs}
	v.d = &Driver{Hooks: hooks, Ifname: "eth0", Log: zap.New(core), Seq: counter(),
		Post:  func(o *Outcome) { v.outcomes <- o },
		Reply: func(r lease.Reply) { v.replies = append(v.replies, r.ID) }}
	return v
}

// recv returns what ch gives within 5 s.
func recv[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5 s", what)
	}
	panic("unreachable")
}

func (v *driven) outcome(t *testing.T) *Outcome {
	t.Helper()
	return recv(t, v.outcomes, "outcome posted")
}

func next(t *testing.T, runs chan started) started { t.Helper(); return recv(t, runs, "hook started") }

func reply(id uint64) Item { return Item{Reply: &lease.Reply{ID: id}} }

// TestDriverNoHook: without a hook every reply goes at once, in the
// event's order (a reply after a hook does not pass one before it).
func TestDriverNoHook(t *testing.T) {
	v := newDriven(nil)
	v.d.Run([]Item{reply(1), {Event: lease.EventBound}, reply(2), {Event: lease.EventExpire}, reply(3)})
	if diff := cmp.Diff([]uint64{1, 2, 3}, v.replies); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
}

// TestDriverOrder: a reply before the event's hook goes at once, one
// after it waits for that hook to exit; the next hook starts only then,
// with its event's environment; an outcome of another run is ignored;
// each ending is logged as it was.
func TestDriverOrder(t *testing.T) {
	runs := make(chan started, 4)
	v := newDriven(startOn{runs: runs})
	ack, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck))
	if err != nil {
		t.Fatal(err)
	}
	l := &lease.Lease{Addr: netip.MustParsePrefix("198.18.0.10/24"), ACK: ack}
	v.d.Run([]Item{reply(1), {Event: lease.EventBound, Lease: l}, reply(2)})
	v.d.Run([]Item{{Event: lease.EventExpire}, reply(3)})
	if diff := cmp.Diff([]uint64{1}, v.replies); diff != "" {
		t.Fatalf("replies before any hook exited (-want +got):\n%s", diff)
	}
	bound := next(t, runs)
	if bound.event != "BOUND" || !slices.Contains(bound.env, "DHCP_IFNAME=eth0") ||
		!slices.Contains(bound.env, "DHCP_ADDRESS=198.18.0.10") {
		t.Fatalf("hook %s with %v, want BOUND for eth0 and its address", bound.event, bound.env)
	}
	v.d.Done(&Outcome{Event: "BOUND", Seq: 99}) // not the running one
	if len(v.replies) != 1 || len(runs) != 0 {
		t.Fatalf("a stale outcome let replies %v go or started a hook", v.replies)
	}
	bound.done(errors.New("exit status 1"))
	v.d.Done(v.outcome(t))
	if diff := cmp.Diff([]uint64{1, 2}, v.replies); diff != "" {
		t.Fatalf("replies after BOUND's hook (-want +got):\n%s", diff)
	}
	expire := next(t, runs)
	if expire.event != "EXPIRE" {
		t.Fatalf("second hook %s, want EXPIRE", expire.event)
	}
	expire.done(nil)
	v.d.Done(v.outcome(t))
	if diff := cmp.Diff([]uint64{1, 2, 3}, v.replies); diff != "" {
		t.Fatalf("replies after EXPIRE's hook (-want +got):\n%s", diff)
	}
	if n := v.logs.FilterMessage("hook failed").Len(); n != 1 {
		t.Errorf("%d 'hook failed' lines, want 1 (BOUND's exit status)", n)
	}
	if n := v.logs.FilterMessage("hook done").Len(); n != 1 {
		t.Errorf("%d 'hook done' lines, want 1 (EXPIRE)", n)
	}
}

// TestDriverNotRun: a hook that cannot start lets its replies go; with no
// hook file (ErrNoHook) nothing is logged as an error, another reason is.
func TestDriverNotRun(t *testing.T) {
	for _, c := range []struct {
		err    error
		errors int
	}{{ErrNoHook, 0}, {ErrUntrusted, 1}} {
		runs := make(chan started, 1)
		v := newDriven(startOn{runs: runs, err: c.err})
		v.d.Run([]Item{{Event: lease.EventBound}, reply(1)})
		next(t, runs)
		o := v.outcome(t)
		if !o.NotRun || !errors.Is(o.Err, c.err) {
			t.Fatalf("outcome %+v, want NotRun with %v", o, c.err)
		}
		v.d.Done(o)
		if len(v.replies) != 1 {
			t.Errorf("%v: replies %v after the failed start, want [1]", c.err, v.replies)
		}
		if n := v.logs.FilterMessage("hook failed to start").Len(); n != c.errors {
			t.Errorf("%v: %d 'hook failed to start' lines, want %d", c.err, n, c.errors)
		}
	}
}

// TestDriverFoldSkipFlush: an event like the one waiting folds (logged);
// DROP skips the waiting hooks, whose replies go at once; Flush sends the
// replies the running hook holds; Skip sends the replies it is given and
// logs the hooks it passes over.
func TestDriverFoldSkipFlush(t *testing.T) {
	runs := make(chan started, 4)
	v := newDriven(startOn{runs: runs})
	v.d.Run([]Item{{Event: lease.EventBound}, reply(1)}) // runs
	next(t, runs)
	v.d.Run([]Item{{Event: lease.EventNak}, reply(2)})
	v.d.Run([]Item{{Event: lease.EventNak}, reply(3)}) // folds into the waiting NAK
	v.d.Run([]Item{{Event: lease.EventDrop}, reply(4)})
	if diff := cmp.Diff([]uint64{2, 3}, v.replies); diff != "" {
		t.Fatalf("replies after DROP (-want +got):\n%s", diff)
	}
	if v.logs.FilterMessage("hook coalesced with the one waiting").Len() != 1 ||
		v.logs.FilterMessage("hook skipped").Len() != 1 {
		t.Fatalf("logs %v: want one fold and one skip", v.logs.All())
	}
	v.d.Flush()
	if diff := cmp.Diff([]uint64{2, 3, 1, 4}, v.replies); diff != "" {
		t.Fatalf("replies after Flush (-want +got):\n%s", diff)
	}
	skipped := v.d.Skip([]Item{reply(5), {Event: lease.EventBound}, reply(6)}, "stopped")
	if len(skipped) != 2 || skipped[0].ID != 5 || skipped[1].ID != 6 {
		t.Fatalf("Skip returned %+v, want replies 5 and 6", skipped)
	}
	if diff := cmp.Diff([]uint64{2, 3, 1, 4}, v.replies); diff != "" {
		t.Fatalf("replies after Skip (-want +got): Skip sent some itself:\n%s", diff)
	}
	if v.logs.FilterField(zap.String("reason", "stopped")).Len() != 1 {
		t.Fatal("Skip did not log the hook it passed over")
	}
	if len(runs) != 0 {
		t.Fatal("a hook started after Flush")
	}
}
