// Package messages defines the plain, immutable messages the agent's actors
// exchange. Each doc comment says who sends the message and what answer it
// expects. Commands are typed (command.go): the IPC wire format (package
// ipc) is translated into them, and their Results back, in one place at
// the boundary (wire.go, reply.go); inside, nothing reads argument maps or
// compares state names. Results travel on buffered channels of capacity
// one carried in the command, so an actor answering never blocks and never
// waits on a future; the connection goroutine at the other end does the
// waiting.
package messages

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// StatusQuery asks an interface actor for its status. The manager sends it
// to every interface actor for a Status command without an interface
// name; each answers once on Reply.
type StatusQuery struct {
	Reply chan<- IfStatus
}

// Unmanaged tells the manager that an interface actor gave up its
// interface (drop, release). Sent by the interface actor to its parent
// before it answers the command; the manager stops routing to it and
// answers with Retire. Until then the actor answers whatever still reaches
// it, so no command is lost to a stopping actor.
type Unmanaged struct {
	Ifname string
	PID    *actor.PID
}

// Retire tells an interface actor that sent Unmanaged that nothing more
// will be routed to it: it stops. Sent by the manager. No reply.
type Retire struct{}

// Inbound carries a reply for the interface actor's transaction from the
// shared receive path (the dispatcher's goroutine): Msg, or, for a frame
// of the transaction that did not decode, a nil Msg and Err. No reply.
type Inbound struct {
	Msg *dhcpv4.DHCPv4
	Err error
}

// TimerFired is posted by a time.AfterFunc to the interface actor that
// armed it. Gen is the generation it was armed with; a timer that was
// stopped or re-armed since, or that belongs to an earlier incarnation of
// the actor, carries a stale generation and is ignored. No reply.
type TimerFired struct {
	Timer lease.Timer
	Gen   uint64
}

// ARPInbound carries an ARP packet heard on the interface while its actor
// probes an address (RFC 5227), from the shared ARP socket's goroutine.
// No reply.
type ARPInbound struct {
	Packet transport.ARPPacket
}

// Primary tells an interface actor whether it is the primary interface.
// Sent by the manager: On to an actor it spawns for the stored primary,
// off to the old primary's actor once another took the role (TookPrimary).
// No reply.
type Primary struct {
	On bool
}

// TookPrimary tells the manager that an interface actor's machine admitted
// a start --primary (its lease.Manage{On: true}) and the actor took the
// primary role: the manager makes Ifname the primary interface and tells
// the old primary's actor Primary{On: false}. A start the machine refuses
// (RUNNING, PEND) sends none and changes nothing, as illumos makes the
// primary only once check_cmd_allowed passed. Sent by the interface actor
// (PID) to its parent; a word of an actor no longer its interface's is
// ignored. No reply.
type TookPrimary struct {
	Ifname string
	PID    *actor.PID
}

// Resume starts an interface that was under management when the agent last
// stopped. Sent by the manager right after spawning it at start-up. No reply.
type Resume struct{}

// Shutdown asks an interface actor to drop (or, with Release, release) its
// interface as the agent stops, keeping it under management for the next
// start. Sent by the manager; the actor answers on Reply once the event's
// hook has run. The agent sends it to the manager, which answers once every
// interface has, and first to the admin actor, which removes the temporary
// static addresses. Reply has room for the one answer.
type Shutdown struct {
	Release bool
	Reply   chan<- *Result
}

// Link reports a change of an interface's carrier, its deletion, or a link
// the watcher had not seen before, from the netlink watcher through the
// manager. No reply.
type Link struct {
	Ifname  string
	Up      bool
	Deleted bool
	// Appeared is set for the first report of a link (created, moved into
	// the namespace or renamed): the manager resumes a managed interface
	// whose link had gone (SPEC §2 hotplug).
	Appeared bool
}

// ClockJump reports that the wall clock jumped or the host resumed from
// suspend; interface actors verify their leases. Sent by the agent's clock
// watcher through the manager. No reply.
type ClockJump struct{}

// Reconfigure tells interface actors that the configuration was re-read
// (SIGHUP). Sent through the manager. No reply.
type Reconfigure struct{}
