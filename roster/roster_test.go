package roster

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// pid is a handle as protoactor's PID is: two of the same id are the
// same actor, whatever their address in memory.
type pid struct{ id string }

func newRoster() *Roster[*pid] { return New(func(p *pid) string { return p.id }) }

// state is what a Roster says of every name, to compare.
type state struct {
	Actors    map[string]string // name -> actor id
	Standings map[string]lease.Standing
	Primary   string
}

func stateOf(r *Roster[*pid]) state {
	s := state{Actors: map[string]string{}, Standings: r.Standings(), Primary: r.Primary()}
	for _, h := range r.Actors() {
		name, current := r.Of(h)
		if !current {
			panic("an actor listed is not its interface's")
		}
		s.Actors[name] = h.id
	}
	return s
}

func check(t *testing.T, r *Roster[*pid], want state) {
	t.Helper()
	if diff := cmp.Diff(want, stateOf(r), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("roster (-want +got):\n%s", diff)
	}
}

var (
	gone   = map[string]lease.Standing{"eth0": lease.LinkGone}
	failed = map[string]lease.Standing{"eth0": lease.FailedActor}
)

// TestSpawnedOf: an actor spawned is its interface's until a newer one
// is spawned for it, and is known as that interface's until it stops,
// told apart by id, not by pointer; spawning ends a standing, and says
// whether the interface is the primary one.
func TestSpawnedOf(t *testing.T) {
	r := newRoster()
	r.LinkGone("eth0")
	r.SetPrimary("eth1")
	if r.Spawned("eth0", &pid{"1"}) {
		t.Error("eth0 spawned as primary; the primary is eth1")
	}
	check(t, r, state{Actors: map[string]string{"eth0": "1"}, Primary: "eth1"})
	if !r.Spawned("eth1", &pid{"3"}) {
		t.Error("eth1 not spawned as primary")
	}
	r.Spawned("eth0", &pid{"2"})
	for _, tc := range []struct {
		id, name string
		current  bool
	}{{"1", "eth0", false}, {"2", "eth0", true}, {"3", "eth1", true}, {"9", "", false}} {
		if name, current := r.Of(&pid{tc.id}); name != tc.name || current != tc.current {
			t.Errorf("Of(%s) = %q, %v; want %q, %v", tc.id, name, current, tc.name, tc.current)
		}
	}
	if h, ok := r.Actor("eth0"); !ok || h.id != "2" {
		t.Errorf("Actor(eth0) = %v, %v; want 2", h, ok)
	}
	if _, ok := r.Actor("eth2"); ok {
		t.Error("an actor for eth2, never spawned")
	}
}

// TestFailed: an actor that failed too often marks its interface FAILED
// only while it is the actor its commands go to: one whose link was
// deleted leaves its interface missing; one a newer actor replaced, or
// one never spawned, marks nothing.
func TestFailed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *Roster[*pid])
		want  bool
		after state
	}{
		{"current", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}) }, true, state{Standings: failed}},
		{"link deleted", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.LinkGone("eth0") }, false,
			state{Standings: gone}},
		{"a newer actor", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.Spawned("eth0", &pid{"2"}) }, false,
			state{Actors: map[string]string{"eth0": "2"}}},
		{"stopped", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.Stopped(&pid{"1"}) }, false, state{}},
		{"unknown", func(*Roster[*pid]) {}, false, state{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			tc.setup(r)
			if got := r.Failed(&pid{"1"}); got != tc.want {
				t.Errorf("Failed = %v, want %v", got, tc.want)
			}
			check(t, r, tc.after)
		})
	}
}

// TestStopped: a stopped actor is forgotten; its interface has no actor
// unless a newer one took over, and its standing stays.
func TestStopped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(r *Roster[*pid])
		iface  string
		vacant bool
		after  state
	}{
		{"current", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}) }, "eth0", true, state{}},
		{"link deleted", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.LinkGone("eth0") }, "eth0", true,
			state{Standings: gone}},
		{"failed", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.Failed(&pid{"1"}) }, "eth0", true,
			state{Standings: failed}},
		{"a newer actor", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.Spawned("eth0", &pid{"2"}) }, "eth0", false,
			state{Actors: map[string]string{"eth0": "2"}}},
		{"another interface's", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.Spawned("eth1", &pid{"2"}) }, "eth0", true,
			state{Actors: map[string]string{"eth1": "2"}}},
		{"unknown", func(r *Roster[*pid]) { r.Spawned("eth1", &pid{"2"}) }, "", true,
			state{Actors: map[string]string{"eth1": "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			tc.setup(r)
			if name, vacant, linkBack := r.Stopped(&pid{"1"}); name != tc.iface || vacant != tc.vacant || linkBack {
				t.Errorf("Stopped = %q, %v, %v; want %q, %v, false", name, vacant, linkBack, tc.iface, tc.vacant)
			}
			check(t, r, tc.after)
			if name, _ := r.Of(&pid{"1"}); name != "" {
				t.Errorf("a stopped actor is still %s's", name)
			}
		})
	}
}

// TestLinkGone: a deleted link's interface has no actor and is missing,
// as is one found without its link at start-up.
func TestLinkGone(t *testing.T) {
	r := newRoster()
	r.Spawned("eth0", &pid{"1"})
	r.LinkGone("eth0")
	r.LinkGone("eth1")
	check(t, r, state{Standings: map[string]lease.Standing{"eth0": lease.LinkGone, "eth1": lease.LinkGone}})
	if name, current := r.Of(&pid{"1"}); name != "eth0" || current {
		t.Errorf("Of = %q, %v; want eth0's, not current", name, current)
	}
	if !r.Missing("eth0") || r.Missing("eth2") {
		t.Error("Missing wrong")
	}
	r.SetPrimary("eth0")
	r.EndMissing("eth0")
	check(t, r, state{Standings: map[string]lease.Standing{"eth1": lease.LinkGone}})
}

// TestUnmanaged: an interface's actor giving it up ends its management,
// its being primary too, also once its link was deleted; the word of an
// actor a newer one replaced ends nothing.
func TestUnmanaged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(r *Roster[*pid])
		wasActor bool
		after    state
	}{
		{"current", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.Spawned("eth1", &pid{"2"}) }, true,
			state{Actors: map[string]string{"eth1": "2"}}},
		{"link deleted meanwhile", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"1"}); r.LinkGone("eth0") }, false, state{}},
		{"a newer actor", func(r *Roster[*pid]) {
			r.Spawned("eth0", &pid{"1"})
			r.LinkGone("eth0")
			r.Spawned("eth0", &pid{"2"})
		}, false, state{Actors: map[string]string{"eth0": "2"}, Primary: "eth0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			r.SetPrimary("eth0")
			tc.setup(r)
			if got := r.Unmanaged("eth0", &pid{"1"}); got != tc.wasActor {
				t.Errorf("Unmanaged = %v, want %v", got, tc.wasActor)
			}
			check(t, r, tc.after)
		})
	}
}

// TestTookPrimary: the primary moves on the word of the interface's own
// actor, whose start --primary its machine admitted, not on that of one
// whose link went meanwhile; the old primary's actor, if it has one, is
// to be told.
func TestTookPrimary(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(r *Roster[*pid])
		from    string
		tell    string // the old primary's actor to tell, "" for none
		primary string
	}{
		{"current", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"0"}) }, "2", "0", "eth1"},
		{"old primary missing", func(r *Roster[*pid]) { r.LinkGone("eth0") }, "2", "", "eth1"},
		{"stale", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"0"}) }, "1", "", "eth0"},
		{"already primary", func(r *Roster[*pid]) { r.SetPrimary("eth1") }, "2", "", "eth1"},
		{"no primary", func(r *Roster[*pid]) { r.SetPrimary("") }, "2", "", "eth1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			r.SetPrimary("eth0")
			r.Spawned("eth1", &pid{"1"})
			r.LinkGone("eth1")
			r.Spawned("eth1", &pid{"2"})
			tc.setup(r)
			old, tell := r.TookPrimary("eth1", &pid{tc.from})
			got := ""
			if tell {
				got = old.id
			}
			if got != tc.tell {
				t.Errorf("told %q, want %q", got, tc.tell)
			}
			if r.Primary() != tc.primary {
				t.Errorf("primary %q, want %q", r.Primary(), tc.primary)
			}
		})
	}
}

// TestMissingDropped: the drop of a missing interface ends its
// management and its being primary at once; undone (its record could not
// be written) it is missing again, and primary again unless another took
// the role meanwhile; one started again meanwhile stays as it is.
func TestMissingDropped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		while func(r *Roster[*pid]) // between the drop and its undoing
		after state
	}{
		{"nothing meanwhile", func(*Roster[*pid]) {}, state{Standings: gone, Primary: "eth0"}},
		{"another primary meanwhile", func(r *Roster[*pid]) {
			r.Spawned("eth1", &pid{"1"})
			r.TookPrimary("eth1", &pid{"1"})
		}, state{Actors: map[string]string{"eth1": "1"}, Standings: gone, Primary: "eth1"}},
		{"started again meanwhile", func(r *Roster[*pid]) { r.Spawned("eth0", &pid{"2"}) },
			state{Actors: map[string]string{"eth0": "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			r.SetPrimary("eth0")
			r.LinkGone("eth0")
			d := r.MissingDropped("eth0")
			if d.Name() != "eth0" {
				t.Errorf("drop of %q, want eth0", d.Name())
			}
			check(t, r, state{})
			if r.Missing("eth0") {
				t.Error("missing while its drop is written: its link's return would resume it")
			}
			tc.while(r)
			r.Undo(d)
			check(t, r, tc.after)
		})
	}
	// Not the primary: undone, it does not become it.
	r := newRoster()
	r.LinkGone("eth0")
	r.Undo(r.MissingDropped("eth0"))
	check(t, r, state{Standings: gone})
}

// TestDropLinkBack: a link of a missing interface's name that appears
// while its drop is written resumes nothing (the drop ended its
// management), and is handed back if the drop is undone: the interface
// is missing again, its link there. Only for that drop: not once it is
// written, not for an earlier drop of the name, not when the interface
// has an actor again.
func TestDropLinkBack(t *testing.T) {
	for _, tc := range []struct {
		name     string
		steps    func(r *Roster[*pid]) bool // returns Undo's
		linkBack bool
	}{
		{"link back meanwhile", func(r *Roster[*pid]) bool {
			d := r.MissingDropped("eth0")
			if r.LinkBack("eth0") {
				t.Error("LinkBack while the drop is written would resume it")
			}
			return r.Undo(d)
		}, true},
		{"no link meanwhile", func(r *Roster[*pid]) bool { return r.Undo(r.MissingDropped("eth0")) }, false},
		{"another name's link", func(r *Roster[*pid]) bool {
			d := r.MissingDropped("eth0")
			r.LinkBack("eth1")
			return r.Undo(d)
		}, false},
		{"link back before the drop", func(r *Roster[*pid]) bool {
			r.LinkBack("eth0")
			return r.Undo(r.MissingDropped("eth0"))
		}, false},
		{"written, then undone twice", func(r *Roster[*pid]) bool {
			d := r.MissingDropped("eth0")
			r.LinkBack("eth0")
			r.Dropped(d)
			return r.Undo(d)
		}, false},
		{"started again meanwhile", func(r *Roster[*pid]) bool {
			d := r.MissingDropped("eth0")
			r.LinkBack("eth0")
			r.Spawned("eth0", &pid{"1"})
			return r.Undo(d)
		}, false},
		{"a second drop of the name", func(r *Roster[*pid]) bool {
			// Started and gone again while the first is written.
			first := r.MissingDropped("eth0")
			r.Spawned("eth0", &pid{"1"})
			r.LinkGone("eth0")
			second := r.MissingDropped("eth0")
			r.LinkBack("eth0")
			if r.Undo(first) {
				t.Error("the first drop's undoing took the second's link")
			}
			return r.Undo(second)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			r.LinkGone("eth0")
			if got := tc.steps(r); got != tc.linkBack {
				t.Errorf("Undo = %v, want %v", got, tc.linkBack)
			}
		})
	}
	r := newRoster()
	r.LinkGone("eth0")
	if !r.LinkBack("eth0") {
		t.Error("LinkBack of a missing interface does not resume it")
	}
	if r.LinkBack("eth1") {
		t.Error("LinkBack of a name not managed resumes it")
	}
}

// TestLinkBackWhileStopping: a link that comes back while an actor of
// its interface is still stopping resumes nothing then (what that actor
// has still to write of the record would come after what the return
// reads there); once the last of them has stopped, the return is handed
// back, once, unless a newer actor took the interface meanwhile.
func TestLinkBackWhileStopping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps func(r *Roster[*pid]) (first, last bool) // Stopped's linkBack for actors 1 then 2
		first bool
		last  bool
	}{
		{"one stopping", func(r *Roster[*pid]) (bool, bool) {
			if r.LinkBack("eth0") {
				t.Error("LinkBack while an actor stops would resume it")
			}
			_, _, first := r.Stopped(&pid{"1"})
			_, _, again := r.Stopped(&pid{"1"})
			return first, again
		}, true, false},
		{"two stopping", func(r *Roster[*pid]) (bool, bool) {
			r.Spawned("eth0", &pid{"2"})
			r.LinkGone("eth0")
			r.LinkBack("eth0")
			_, _, first := r.Stopped(&pid{"1"})
			_, _, last := r.Stopped(&pid{"2"})
			return first, last
		}, false, true},
		{"no link back", func(r *Roster[*pid]) (bool, bool) {
			_, _, first := r.Stopped(&pid{"1"})
			return first, false
		}, false, false},
		{"a newer actor meanwhile", func(r *Roster[*pid]) (bool, bool) {
			r.LinkBack("eth0")
			r.Spawned("eth0", &pid{"2"})
			_, _, first := r.Stopped(&pid{"1"})
			r.LinkGone("eth0")
			_, _, last := r.Stopped(&pid{"2"})
			return first, last
		}, false, false},
		{"another interface's", func(r *Roster[*pid]) (bool, bool) {
			r.Spawned("eth1", &pid{"2"})
			r.LinkGone("eth1")
			r.LinkBack("eth1")
			_, _, first := r.Stopped(&pid{"1"})
			_, _, last := r.Stopped(&pid{"2"})
			return first, last
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRoster()
			r.Spawned("eth0", &pid{"1"})
			r.LinkGone("eth0")
			if first, last := tc.steps(r); first != tc.first || last != tc.last {
				t.Errorf("Stopped's linkBack = %v, %v; want %v, %v", first, last, tc.first, tc.last)
			}
		})
	}
	r := newRoster()
	r.Spawned("eth0", &pid{"1"})
	if r.LinkBack("eth0") {
		t.Error("LinkBack of an interface with an actor resumes it")
	}
	r.LinkGone("eth0")
	r.Stopped(&pid{"1"})
	if !r.LinkBack("eth0") {
		t.Error("LinkBack of a missing interface, its actor stopped, does not resume it")
	}
}

// TestStopping: a name's actors other than its current one are stopping
// until each has stopped; its current one is not, nor an actor unknown.
func TestStopping(t *testing.T) {
	r := newRoster()
	a, b := &pid{"1"}, &pid{"2"}
	if r.Stopping("eth0") {
		t.Error("eth0 with no actor ever is stopping")
	}
	r.Spawned("eth0", a)
	if r.Stopping("eth0") {
		t.Error("eth0 with its current actor only is stopping")
	}
	r.LinkGone("eth0")
	if !r.Stopping("eth0") {
		t.Error("eth0's actor, its link gone, is not stopping")
	}
	r.Spawned("eth0", b)
	if !r.Stopping("eth0") {
		t.Error("eth0's old actor is not stopping once a newer one is spawned")
	}
	r.Stopped(&pid{"9"})
	if !r.Stopping("eth0") {
		t.Error("an unknown actor's stop stood for eth0's old one")
	}
	r.Stopped(a)
	if r.Stopping("eth0") {
		t.Error("eth0 is stopping once its old actor stopped")
	}
	r.Stopped(b)
	if r.Stopping("eth0") {
		t.Error("eth0 is stopping once every actor stopped")
	}
}
