package ipc

import "fmt"

// Code names an error class in replies, JSON output and agentctl messages
// (SPEC §3). Each maps to its own agentctl exit status.
type Code string

// The error codes.
const (
	ErrPerm      Code = "PERM"      // unprivileged caller
	ErrUnkIf     Code = "UNKIF"     // interface not managed
	ErrNoPrimary Code = "NOPRIMARY" // no primary interface
	ErrOutState  Code = "OUTSTATE"  // not allowed in the current state
	ErrRunning   Code = "RUNNING"   // start while acquiring or bound
	ErrPend      Code = "PEND"      // another transaction is outstanding
	ErrTimeout   Code = "TIMEOUT"   // the wait ran out; the transaction goes on
	ErrBOOTP     Code = "BOOTP"     // not possible on a BOOTP lease
	ErrFailedIf  Code = "FAILEDIF"  // the interface failed
	ErrProtocol  Code = "PROTO"     // malformed request
	ErrInvalid   Code = "INVALID"   // bad argument
	ErrShutdown  Code = "SHUTDOWN"  // agent stopping
	ErrInternal  Code = "INTERNAL"  // anything else

	// Interface administration (SPEC §4).
	ErrExists   Code = "EXISTS"       // the object exists already
	ErrDisabled Code = "DISABLED_OBJ" // persistent but not active: enable-if
	ErrNoLink   Code = "NOLINK"       // no such link in the kernel
	ErrNotFound Code = "NOTFOUND"     // no such object

	// ErrLimit: a bound refused the request (STYLE.md: every queue has a
	// length). Either a limit on an unprivileged caller's connections or
	// watch streams, or the agent out of descriptors (SPEC §3); or, for
	// any caller, root included, a full queue of commands waiting their
	// turn: the manager's while the stored interfaces are read at start-up
	// (actors/resume.go, 1024), an interface's while its lease record is
	// read (actors/persist.go, 1024), the administrative commands'
	// (ipadm/run.MaxQueue, 1024). Nothing was done; the caller may retry.
	ErrLimit Code = "LIMIT"
)

// Codes lists every code in the order of their exit statuses.
var Codes = []Code{ErrPerm, ErrUnkIf, ErrNoPrimary, ErrOutState, ErrRunning, ErrPend,
	ErrTimeout, ErrBOOTP, ErrFailedIf, ErrProtocol, ErrInvalid, ErrShutdown, ErrInternal,
	ErrExists, ErrDisabled, ErrNoLink, ErrNotFound, ErrLimit}

// ExitStatus is agentctl's exit status for c: 10 + its place in Codes, so
// that 1 stays free for usage errors and 2 for "agent not running".
func (c Code) ExitStatus() int {
	for i, k := range Codes {
		if k == c {
			return 10 + i
		}
	}
	return ErrInternal.ExitStatus()
}

// Error is a failed reply as a Go error.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Fail builds a failed reply to req.
func Fail(req *Request, c Code, format string, args ...any) *Reply {
	r := &Reply{Version: Version, Error: c, Message: fmt.Sprintf(format, args...)}
	if req != nil {
		r.ID = req.ID
	}
	return r
}

// OK builds a successful reply to req.
func OK(req *Request) *Reply {
	return &Reply{Version: Version, ID: req.ID}
}
