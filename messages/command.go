package messages

import (
	"context"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// Command is a control request on its way to the actor that answers it.
// The IPC actor builds it from the wire request and sends interface
// commands to the manager, which forwards them to the interface actor
// Ifname names, and administrative ones to the admin actor, which sends
// the manager commands of its own for DHCP address objects. Exactly one
// Result is sent on Reply, by whichever actor decides the outcome, through
// Answer: the first answer wins and later ones are dropped, so that an
// actor that fails, restarts or stops can answer whatever it still holds
// without risking a second reply.
type Command struct {
	// Ifname names the interface; "" means the primary one (interface
	// commands) or every object (show-if).
	Ifname string
	Req    Request
	// Wait is how long the caller waits for the outcome; Forever: as long
	// as it takes.
	Wait time.Duration
	// Ctx is done when the caller stops waiting (its wait ran out, it
	// went away, the agent stops): a command still waiting for its
	// transaction is then withdrawn. nil: the caller waits as long as it
	// takes.
	Ctx   context.Context
	Reply chan<- *Result

	answered atomic.Bool
}

// Forever is the Wait of a caller that waits as long as it takes.
const Forever time.Duration = -1

// Answer sends r as the command's result unless it was answered already,
// and reports whether it did. It never blocks: Reply has room for the one
// answer. A nil c (the agent's own work, which nobody waits for) takes no
// answer: Answer reports false.
func (c *Command) Answer(r *Result) bool {
	if c == nil || !c.answered.CompareAndSwap(false, true) {
		return false
	}
	select {
	case c.Reply <- r:
	default: // nobody can be waiting on a full channel
	}
	return true
}

// Withdraw settles the command without an answer: its caller has gone,
// and nobody is to answer it any more.
func (c *Command) Withdraw() { c.answered.Store(true) }

// Answered reports whether the command has had its answer (or was
// withdrawn).
func (c *Command) Answered() bool { return c.answered.Load() }

// Temporary reports whether c is the start of a temporary DHCP address
// object (Start.Temporary): the next agent does not resume it. A nil c is
// not.
func (c *Command) Temporary() bool {
	if c == nil {
		return false
	}
	start, _ := c.Req.(Start)
	return start.Temporary
}

// Primary reports whether c is a start that makes its interface the
// primary one (Start.Primary). A nil c is not.
func (c *Command) Primary() bool {
	if c == nil {
		return false
	}
	start, _ := c.Req.(Start)
	return start.Primary
}

// Result is a command's outcome. Codes are the SPEC §3 names the wire
// also uses (ipc.Code); the empty Code is success.
type Result struct {
	Code ipc.Code
	// Message says why a command failed, for people; on success it is
	// the text version and the test hooks answer.
	Message string
	// Status is the interface's status after the command (start, extend,
	// status IF, ...); Statuses answers status without an interface.
	Status   *IfStatus
	Statuses []IfStatus
	// Values and Raw are info's answer: one value per line of dhcpinfo's
	// output, and the option's bytes.
	Values []string
	Raw    []byte
	// Interfaces and Addresses answer show-if and show-addr.
	Interfaces []IfRow
	Addresses  []AddrRow
}

// OK is a success with nothing more to say.
func OK() *Result { return &Result{} }

// Fail is a failure with code and a reason.
func Fail(code ipc.Code, format string, args ...any) *Result {
	return &Result{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Failed reports whether r is a failure.
func (r *Result) Failed() bool { return r.Code != "" }

// Request is what a command asks for: one of the types below. Interface
// commands are answered by the interface's actor (or by the manager when
// there is none), administrative ones (AdminRequest) by the admin actor,
// Version by the IPC actor.
type Request interface{ request() }

// AdminRequest is an interface or address object command (SPEC §4).
type AdminRequest interface {
	Request
	admin()
}

// Interface commands (SPEC §3).
type (
	// Start puts the interface under management and acquires a lease.
	Start struct {
		// Hostname is asked for in this acquisition (option 12 or 81);
		// "" keeps the configured one.
		Hostname string
		// Primary makes the interface the primary one.
		Primary bool
		// Temporary marks a temporary DHCP address object's start: the
		// next agent does not resume the interface.
		Temporary bool
		// Boot marks the start of a persistent DHCP address object that
		// the agent replays at start-up: its address probe waits a
		// random PROBE_WAIT first (SPEC §2 "Binding").
		Boot bool
	}
	// Drop ends management, keeping the lease record; with Release the
	// lease is given back to the server (RELEASE) and forgotten.
	Drop struct{ Release bool }
	// Extend renews the lease now.
	Extend struct{}
	// Inform asks for configuration with DHCPINFORM for the static
	// address Addr; an invalid Addr means the interface's own first one.
	Inform struct{ Addr netip.Prefix }
	// Ping asks whether the interface is managed.
	Ping struct{}
	// Status asks for the interface's status, or for every interface's
	// without an Ifname.
	Status struct{}
	// Info reads an option of the lease (dhcpinfo): a code, a name,
	// vendor:N or field:OFFSET:LEN.
	Info struct{ Option string }
	// Panic makes the interface actor panic (test hooks only).
	Panic struct{}
	// Stats asks the manager for the number of goroutines (test hooks
	// only).
	Stats struct{}
	// Version asks for the agent's version.
	Version struct{}
)

// Interface and address object commands (SPEC §4), for the admin actor.
// Object names an address object, IF/NAME; families are -f's v4, v6 or
// v4,v6 ("" for both).
type (
	CreateIf struct {
		Families  string
		Temporary bool
	}
	DeleteIf  struct{ Families string }
	EnableIf  struct{}
	DisableIf struct{}
	ShowIf    struct{}
	// CreateAddr's Type is static (with Address, ADDR/PLEN) or dhcp
	// (with Hostname and Primary, as Start's).
	CreateAddr struct {
		Object, Type, Address, Hostname string
		Primary, Temporary              bool
	}
	// DeleteAddr drops a DHCP object's lease, or with Release releases it.
	DeleteAddr struct {
		Object  string
		Release bool
	}
	// RefreshAddr renews a DHCP object's lease, or with Inform sends
	// INFORM for a static one.
	RefreshAddr struct {
		Object string
		Inform bool
	}
	// ShowAddr names one object, IF/ for an interface's, or "" for all.
	ShowAddr struct{ Object string }
)

func (Start) request()   {}
func (Drop) request()    {}
func (Extend) request()  {}
func (Inform) request()  {}
func (Ping) request()    {}
func (Status) request()  {}
func (Info) request()    {}
func (Panic) request()   {}
func (Stats) request()   {}
func (Version) request() {}

func (CreateIf) request()    {}
func (DeleteIf) request()    {}
func (EnableIf) request()    {}
func (DisableIf) request()   {}
func (ShowIf) request()      {}
func (CreateAddr) request()  {}
func (DeleteAddr) request()  {}
func (RefreshAddr) request() {}
func (ShowAddr) request()    {}

func (CreateIf) admin()    {}
func (DeleteIf) admin()    {}
func (EnableIf) admin()    {}
func (DisableIf) admin()   {}
func (ShowIf) admin()      {}
func (CreateAddr) admin()  {}
func (DeleteAddr) admin()  {}
func (RefreshAddr) admin() {}
func (ShowAddr) admin()    {}
