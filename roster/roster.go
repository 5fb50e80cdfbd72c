package roster

import (
	"maps"
	"slices"

	"github.com/dhcpagent/dhcpagent/lease"
)

// Roster is the interfaces under management, their actors (H) and the
// primary. Every name has an actor or a standing, not both: a name with
// neither is lease.NotManaged.
type Roster[H any] struct {
	id func(H) string
	// actors are the actors the interfaces' commands go to, by name.
	actors map[string]H
	// names are the interfaces of the actors spawned, by id, until they
	// have stopped: an actor's interface once actors has moved on (a
	// deleted link, a drop while it stops, a failure).
	names map[string]string
	// live counts the actors of each name in names: those of a name
	// with no actor are stopping, their writes not all asked for yet.
	live map[string]int
	// returned are the names whose link came back while an actor of
	// theirs was stopping (LinkBack), to be handled once the last has
	// stopped (Stopped).
	returned map[string]bool
	// standings are the interfaces under management with no actor:
	// lease.LinkGone, resumed when a link of that name appears (SPEC §2
	// hotplug), or lease.FailedActor, whose actor failed too often.
	standings map[string]lease.Standing
	primary   string // name of the primary interface, "" when none
	// dropping are the missing interfaces whose drop is being written
	// (MissingDropped), by name: the latest drop, and whether a link of
	// the name appeared meanwhile (LinkBack), which the drop kept from
	// resuming it and which Undo hands back.
	dropping map[string]dropping
	drops    uint64 // the drops made, which tell them apart
}

// dropping is one name's drop being written.
type dropping struct {
	seq      uint64
	linkBack bool
}

// New returns an empty Roster whose actors are told apart by id.
func New[H any](id func(H) string) *Roster[H] {
	return &Roster[H]{id: id, actors: make(map[string]H), names: make(map[string]string), live: make(map[string]int),
		returned: make(map[string]bool), standings: make(map[string]lease.Standing), dropping: make(map[string]dropping)}
}

// Spawned makes h the actor of name, which then stands no other way, and
// reports whether name is the primary interface: h is to be told so
// before anything else.
func (r *Roster[H]) Spawned(name string, h H) (primary bool) {
	r.actors[name] = h
	if _, known := r.names[r.id(h)]; !known {
		r.live[name]++
	}
	r.names[r.id(h)] = name
	delete(r.standings, name)
	delete(r.returned, name)
	return r.primary == name
}

// Of is the interface of an actor spawned and not yet stopped ("" for
// any other), and whether h is still the actor its commands go to.
func (r *Roster[H]) Of(h H) (name string, current bool) {
	name = r.names[r.id(h)]
	return name, r.is(name, h)
}

// is reports whether h is name's actor.
func (r *Roster[H]) is(name string, h H) bool {
	a, ok := r.actors[name]
	return ok && r.id(a) == r.id(h)
}

// Actor is the actor name's commands go to, if it has one.
func (r *Roster[H]) Actor(name string) (H, bool) {
	h, ok := r.actors[name]
	return h, ok
}

// Actors are every interface's actor, in no order.
func (r *Roster[H]) Actors() []H { return slices.Collect(maps.Values(r.actors)) }

// Standing is where name stands: lease.NotManaged for an interface with
// an actor, or none.
func (r *Roster[H]) Standing(name string) lease.Standing { return r.standings[name] }

// Standings are the interfaces under management without an actor, a copy.
func (r *Roster[H]) Standings() map[string]lease.Standing { return maps.Clone(r.standings) }

// Missing reports whether name is under management with no actor, its
// link gone (lease.LinkGone): a link of its name appearing resumes it.
func (r *Roster[H]) Missing(name string) bool { return r.standings[name] == lease.LinkGone }

// LinkBack notes that a link called name is there (an event for it other
// than its deletion) while name has no actor, and reports whether name
// is missing, to be resumed now. Not while an actor of name is still
// stopping (its link was deleted, or it gave the interface up): what it
// has still to ask of the interface's record (a drop's) would come after
// what the return reads there; the last one's stop hands the return
// back (Stopped). And while a drop of name is being written, which ended
// its management, the drop notes it: undone, it hands it back (Undo),
// for that link resumed nothing.
func (r *Roster[H]) LinkBack(name string) bool {
	if _, ok := r.actors[name]; ok {
		return false
	}
	if d, ok := r.dropping[name]; ok {
		d.linkBack = true
		r.dropping[name] = d
	}
	if r.live[name] > 0 {
		r.returned[name] = true
		return false
	}
	return r.Missing(name)
}

// Stopping reports whether an actor of name other than its current one
// has not stopped yet: what it still asks of the interface's record (a
// command routed to it before its link went) comes after anything asked
// for now.
func (r *Roster[H]) Stopping(name string) bool {
	n := r.live[name]
	if _, ok := r.actors[name]; ok {
		n--
	}
	return n > 0
}

// Failed marks h's interface FAILED, its actor having failed too often,
// if h is still its actor, and reports whether it was: one whose
// interface moved on (its link was deleted) marks nothing, neither its
// interface, which is missing, nor one with no name.
func (r *Roster[H]) Failed(h H) bool {
	name, current := r.Of(h)
	if current {
		delete(r.actors, name)
		r.standings[name] = lease.FailedActor
	}
	return current
}

// Stopped forgets h, which has stopped: its interface, if it was its
// actor, has none now. It returns h's interface, whether that has no
// actor now (none newer took over: the caller lets its host state go),
// and whether its link came back while it stopped (LinkBack), which
// resumed nothing then: the last of its actors stopped, the caller
// handles that now, as if the link had just appeared.
func (r *Roster[H]) Stopped(h H) (name string, vacant, linkBack bool) {
	name, current := r.Of(h)
	if current {
		delete(r.actors, name)
	}
	if _, known := r.names[r.id(h)]; known {
		delete(r.names, r.id(h))
		if r.live[name]--; r.live[name] == 0 {
			delete(r.live, name)
		}
	}
	_, again := r.actors[name]
	if again || r.live[name] == 0 {
		linkBack = r.returned[name] && !again
		delete(r.returned, name)
	}
	return name, !again, linkBack
}

// LinkGone marks name missing, its link gone: its actor, if it has one,
// is no longer the one its commands go to (the caller tells it of the
// deletion).
func (r *Roster[H]) LinkGone(name string) {
	delete(r.actors, name)
	r.standings[name] = lease.LinkGone
}

// EndMissing ends the management of name, missing, whose record does not
// keep it managed past its link (a temporary start), its being primary
// too, as any end of management does.
func (r *Roster[H]) EndMissing(name string) {
	delete(r.standings, name)
	if r.primary == name {
		r.primary = ""
	}
}

// Unmanaged ends the management of name on the word of h, its actor,
// which gave it up (drop, release): also when its link was deleted after
// the command reached h, which made it missing, for the command ends its
// management all the same. The word of an actor that is no longer name's
// (a newer one resumed it when its link came back before the word
// arrived) ends nothing of the newer one's, its being primary included.
// It reports whether h was name's actor: the caller lets name's host
// state go.
func (r *Roster[H]) Unmanaged(name string, h H) (wasActor bool) {
	_, ok := r.actors[name]
	switch {
	case r.is(name, h):
		delete(r.actors, name)
	case !ok:
		delete(r.standings, name)
	default:
		return false // a newer actor's interface
	}
	if r.primary == name {
		r.primary = ""
	}
	return ok
}

// Primary is the primary interface's name, "" when there is none.
func (r *Roster[H]) Primary() string { return r.primary }

// SetPrimary makes name the primary interface, as stored at start-up.
func (r *Roster[H]) SetPrimary(name string) { r.primary = name }

// TookPrimary makes name the primary interface on the word of h, whose
// machine admitted a start --primary, if h is name's actor; the word of
// one that is no longer (its link went) is stale. It returns the actor
// of the old primary, if the primary moved away from one, to be told it
// no longer is.
func (r *Roster[H]) TookPrimary(name string, h H) (old H, tell bool) {
	if !r.is(name, h) || r.primary == name {
		return old, false
	}
	old, tell = r.actors[r.primary]
	r.primary = name
	return old, tell
}

// Drop is the drop of a missing interface while its record is written:
// what Undo puts back if it cannot be.
type Drop struct {
	name    string
	primary bool   // it was the primary interface
	seq     uint64 // which of the drops made
}

// Name is the dropped interface's.
func (d Drop) Name() string { return d.name }

// MissingDropped ends the management of name, missing, at once, so that
// its link coming back while its record is written does not resume it;
// its being primary ends with it. The drop ends with Dropped or Undo.
func (r *Roster[H]) MissingDropped(name string) Drop {
	delete(r.standings, name)
	r.drops++
	d := Drop{name: name, primary: r.primary == name, seq: r.drops}
	if d.primary {
		r.primary = ""
	}
	r.dropping[name] = dropping{seq: d.seq}
	return d
}

// Dropped ends d, its record written.
func (r *Roster[H]) Dropped(d Drop) { r.end(d) }

// end forgets d, unless a later drop of its name is being written.
func (r *Roster[H]) end(d Drop) (linkBack bool) {
	w, ok := r.dropping[d.name]
	if !ok || w.seq != d.seq {
		return false
	}
	delete(r.dropping, d.name)
	return w.linkBack
}

// Undo puts a drop whose record could not be written back: the interface
// is missing again and, if no other has become primary meanwhile, the
// primary again; unless it has an actor again (started meanwhile), which
// stands as it is. It reports whether a link of its name appeared while
// the drop was written (LinkBack), which resumed nothing then: the
// caller handles it now, as if it had just appeared.
func (r *Roster[H]) Undo(d Drop) (linkBack bool) {
	linkBack = r.end(d)
	if _, back := r.actors[d.name]; back {
		return false
	}
	r.standings[d.name] = lease.LinkGone
	if d.primary && r.primary == "" {
		r.primary = d.name
	}
	return linkBack
}
