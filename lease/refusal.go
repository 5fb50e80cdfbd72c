package lease

import (
	"errors"
	"time"
)

// Reason classifies a refusal: a reply, or part of one, the machine would
// not use, or a failure of an exchange. Every reason is counted per
// interface (Counters.Refused) and the latest refusals are kept with their
// details (Status.Refusals), so that "why has eth1 no address?" has an
// answer without reading logs (issue 12).
type Reason uint8

// The reasons. Their names are the metrics' reason label: keep them stable.
const (
	ReasonNoServerID     Reason = iota // offer or ACK without option 54
	ReasonNoLeaseTime                  // offer or ACK without option 51
	ReasonZeroLease                    // a lease time of 0 (SPEC §2)
	ReasonBadAddress                   // yiaddr no host may use
	ReasonConflict                     // yiaddr already on another interface
	ReasonServerMismatch               // ACK from another server than the one asked
	ReasonAddrMismatch                 // ACK naming another address than the one asked
	ReasonExpired                      // lease ran out before it could be used
	ReasonBadRoute                     // one route (121 or 3) left out
	ReasonBadRoutes                    // option 121 unusable: option 3 used instead
	ReasonNak                          // the server refused our REQUEST
	ReasonDecline                      // the address was in use (RFC 5227): declined
	ReasonKernel                       // the kernel refused an address, route or rule of the lease
	ReasonMalformed                    // a reply for our transaction that did not decode
	ReasonHostGateway                  // one route (121 or 3) via an address the host has
	NumReasons
)

var reasonNames = [NumReasons]string{
	"no_server_id", "no_lease_time", "zero_lease_time", "bad_address", "address_on_another_interface",
	"server_id_mismatch", "address_mismatch", "expired_before_use", "bad_route", "bad_option_121",
	"nak", "declined", "kernel_refused", "malformed",
	"gateway_on_host",
}

func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Refusal is one refusal or failure: when, of which kind, and the detail
// a person needs (addresses, the server, what was wrong).
type Refusal struct {
	At     time.Time
	Reason Reason
	Detail string
}

// Refused reports a refusal, for the log. The machine has already counted
// it and kept it for status.
type Refused struct{ Refusal }

func (Refused) action() {}

// keepRefusals is how many refusals status shows per interface: enough to
// tell a pattern, bounded whatever a server sends.
const keepRefusals = 8

// refusals is a ring of the latest refusals.
type refusals struct {
	buf  [keepRefusals]Refusal
	next int // where the next one goes
	n    int // how many are kept
}

func (r *refusals) add(x Refusal) {
	r.buf[r.next] = x
	r.next = (r.next + 1) % keepRefusals
	r.n = min(r.n+1, keepRefusals)
}

// list returns the kept refusals, oldest first, in a new slice.
func (r *refusals) list() []Refusal {
	out := make([]Refusal, 0, r.n)
	for i := range r.n {
		out = append(out, r.buf[(r.next-r.n+i+keepRefusals)%keepRefusals])
	}
	return out
}

// refuse counts, keeps and reports one refusal.
func (m *Machine) refuse(now time.Time, reason Reason, detail string) {
	x := Refusal{At: now, Reason: reason, Detail: detail}
	m.counts.Refused[reason]++
	m.refused.add(x)
	m.emit(Refused{x})
}

// Record counts and keeps a refusal the machine's owner met carrying out
// its actions (the kernel refusing a route): status shows it with the
// machine's own. It returns no action: the owner logs it.
func (m *Machine) Record(now time.Time, reason Reason, detail string) {
	m.counts.Refused[reason]++
	m.refused.add(Refusal{At: now, Reason: reason, Detail: detail})
}

// reasonOf classifies an error of checkReply.
func reasonOf(err error) Reason {
	switch {
	case errors.Is(err, ErrNoServerID):
		return ReasonNoServerID
	case errors.Is(err, ErrNoLeaseTime):
		return ReasonNoLeaseTime
	case errors.Is(err, ErrZeroLease):
		return ReasonZeroLease
	case errors.Is(err, ErrConflict):
		return ReasonConflict
	}
	return ReasonBadAddress
}
