// Package lease is the DHCPv4 client protocol of RFC 2131 as a pure state
// machine: one Machine per interface takes (now, event) and returns the
// actions the caller must carry out, in order: send this packet, arm or stop
// that timer, apply or remove this lease, note this state change.
//
// The package owns no goroutines, sockets or clocks. Time arrives as the now
// argument of every call, and the transaction ids and retransmission jitter
// come from an injected Rand, so a test can script an entire exchange as a
// list of (now, event) -> want actions and compare them exactly.
//
// Timer instants are absolute. The caller arms a real timer for each
// ArmTimer action and delivers Timeout when it fires; a Timeout for a timer
// the machine no longer wants is ignored here as well, so a late timer can
// never move the machine.
//
// Control commands are events too (Command, Stop, Cancel): the machine
// admits them from the SPEC §3 table and answers them (Reply, Withdrawn).
// For an interface that has no machine (never started, its link gone, its
// actor failed) Unmanaged and Orphaned decide the answers from the same
// table, so that no caller keeps a rule of its own.
package lease
