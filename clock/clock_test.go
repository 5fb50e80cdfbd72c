package clock_test

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/clock/clocktest"
)

// TestReal: the real clock's timer fires, and one stopped in time does
// not.
func TestReal(t *testing.T) {
	fired := make(chan struct{})
	clock.Real{}.AfterFunc(time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("the timer did not fire within 10 s")
	}
	if !(clock.Real{}).AfterFunc(time.Hour, func() { t.Error("a stopped timer fired") }).Stop() {
		t.Error("a pending timer could not be stopped")
	}
	if now := (clock.Real{}).Now(); now == now.Round(0) {
		t.Error("Now has no monotonic reading")
	}
}

// fired is one message a timer posted.
type fired struct {
	key string
	gen uint64
}

// recorder returns Timers on a manual clock and the messages they post.
func recorder(gens *clock.Gens) (*clocktest.Manual, *clock.Timers[string], *[]fired) {
	c := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var got []fired
	ts := clock.NewTimers(c, gens, func(k string, gen uint64) { got = append(got, fired{k, gen}) })
	return c, &ts, &got
}

// TestTimersFire: an armed timer posts its key once due, and its message
// matches once.
func TestTimersFire(t *testing.T) {
	c, ts, got := recorder(&clock.Gens{})
	ts.Arm("t1", 10*time.Second)
	c.Advance(9 * time.Second)
	if len(*got) != 0 {
		t.Fatalf("posted before due: %v", *got)
	}
	c.Advance(time.Second)
	if len(*got) != 1 || (*got)[0].key != "t1" {
		t.Fatalf("posted %v, want t1 once", *got)
	}
	m := (*got)[0]
	if !ts.Fired(m.key, m.gen) {
		t.Fatal("the message of the arming in force did not match")
	}
	if ts.Fired(m.key, m.gen) {
		t.Fatal("a message matched twice")
	}
}

// TestTimersStale: a message of an arming replaced or stopped since never
// matches, even when it was posted before the change.
func TestTimersStale(t *testing.T) {
	c, ts, got := recorder(&clock.Gens{})
	ts.Arm("t1", time.Second)
	ts.Arm("t2", time.Second)
	c.Advance(time.Second) // both posted; the owner has not read them yet
	old1, old2 := (*got)[0], (*got)[1]
	ts.Arm("t1", time.Minute) // re-armed
	ts.Stop("t2")
	if ts.Fired(old1.key, old1.gen) || ts.Fired(old2.key, old2.gen) {
		t.Fatal("a stale message matched")
	}
	c.Advance(time.Minute)
	if len(*got) != 3 || (*got)[2].key != "t1" || !ts.Fired("t1", (*got)[2].gen) {
		t.Fatalf("posted %v: want the new t1 arming to fire and match", *got)
	}
	ts.Arm("t1", time.Second)
	ts.Arm("t2", time.Second)
	ts.StopAll()
	c.Advance(time.Hour)
	if len(*got) != 3 {
		t.Fatalf("stopped timers posted: %v", (*got)[3:])
	}
}

// TestTimersSharedGens: timers sharing a counter (a dead incarnation's
// and the live one's) never take each other's messages.
func TestTimersSharedGens(t *testing.T) {
	gens := &clock.Gens{}
	c1, dead, got1 := recorder(gens)
	_, live, _ := recorder(gens)
	dead.Arm("t1", time.Second)
	c1.Advance(time.Second)
	live.Arm("t1", time.Second) // the dead one's message arrives after this
	m := (*got1)[0]
	if live.Fired(m.key, m.gen) {
		t.Fatal("the live timers took a dead incarnation's message")
	}
	if a, b := gens.Next(), gens.Next(); a == 0 || b <= a {
		t.Fatalf("generations %d, %d: want increasing from 1", a, b)
	}
}

// TestTimersZero: the zero Timers has nothing armed and can be stopped.
func TestTimersZero(t *testing.T) {
	var ts clock.Timers[string]
	ts.Stop("t1")
	ts.StopAll()
	if ts.Fired("t1", 1) {
		t.Fatal("the zero Timers matched a message")
	}
}
