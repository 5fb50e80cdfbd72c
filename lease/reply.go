package lease

// Code is the outcome of a command, named as SPEC §3 names its error
// codes; the empty Code is success.
type Code string

// The outcomes the machine decides.
const (
	CodeOK       Code = ""
	CodeOutState Code = "OUTSTATE" // not allowed in the current state
	CodeRunning  Code = "RUNNING"  // start while acquiring or bound
	CodePend     Code = "PEND"     // another command's transaction is outstanding
	CodeBOOTP    Code = "BOOTP"    // not possible on a BOOTP lease
	CodeTimeout  Code = "TIMEOUT"  // the exchange ended unanswered
	CodeShutdown Code = "SHUTDOWN" // the agent is stopping
	CodeInvalid  Code = "INVALID"  // bad argument
	CodeUnkIf    Code = "UNKIF"    // the interface is not managed (Unmanaged)
	CodeFailedIf Code = "FAILEDIF" // the interface's actor failed (Unmanaged)
)

// Reply answers the command or Stop with ID. It follows the actions of the
// event that decided it; when a Notify precedes it in the same batch, it
// is sent only after that event's hook has exited (SPEC §5).
type Reply struct {
	ID     uint64
	Code   Code
	Reason string // why it failed, for people; empty on success
	// Status asks for the interface's status, as it is once the event's
	// actions are carried out, in the reply.
	Status bool
	// Values and Raw are an info command's answer (see Lookup); both empty
	// for an option the server did not send.
	Values []string
	Raw    []byte
	// Ends says the command ended management (drop, release, stop): the
	// interface is not managed once it is answered.
	Ends bool
}

// Persist asks for the lease record to be written (SPEC §2: BOUND and EXTEND).
type Persist struct{ Lease *Lease }

// Forget asks for the lease record to be deleted (RELEASE, NAK, EXPIRE).
type Forget struct{}

// Manage records whether the interface is under management, so that the
// next agent resumes it: on for an admitted start, off for drop and
// release. ID is the command's, whose caller may ask for it to be
// temporary.
type Manage struct {
	ID uint64
	On bool
}

// Withdrawn says that the command ID was cancelled (Cancel): it gets no
// Reply, and its owner forgets it.
type Withdrawn struct{ ID uint64 }

// Primary says that the start ID may make its interface the primary one,
// if its caller asked (start --primary). It comes for an admitted start,
// before its Manage (the record names the primary), and for a start
// answered RUNNING, before that answer: the interface is acquiring, bound
// or IPv6-only already, so the operator's choice of primary holds without
// a new transaction, and a bound interface takes the primary's routes
// without losing its lease (as illumos' `ifconfig IF dhcp primary` moves
// the flag for any command its state allows). A start answered PEND
// changes nothing.
type Primary struct{ ID uint64 }

func (Reply) action()     {}
func (Withdrawn) action() {}
func (Persist) action()   {}
func (Forget) action()    {}
func (Manage) action()    {}
func (Primary) action()   {}
