// Package roster is the manager's bookkeeping of the interfaces under
// management: which actor each interface's commands go to, which
// interface each actor spawned is (until it has stopped: an actor's
// interface moves on without it when its link is deleted or it fails too
// often), where an interface without an actor stands (lease.Standing:
// its link gone, or its actor failed), and which interface is the
// primary one.
//
// It is pure: the manager sends the messages and logs, and asks the
// Roster what each event changes. The rules it keeps are those where
// bugs lived: the word of an actor that is no longer its interface's
// (its link was deleted, and a newer actor resumed the interface when
// the link came back) changes nothing of the newer one's; the primary
// moves only on the word of the interface's own actor; an interface
// stands one way at a time (an actor, or a standing); the drop of a
// missing interface, ended at once, is put back as it was when its
// record could not be written; and a link that comes back resumes its
// interface only once no actor of it is stopping (what that one still
// writes of the record would come after what the return reads) and no
// drop of it is being written, and then as if it had just appeared.
//
// A Roster is generic over the actors' handle (the manager's is
// *actor.PID), told apart by an id the owner gives (the PID's Id), so
// that it is tested without an actor system. It belongs to one actor and
// is not safe for concurrent use.
package roster
