// Package control is the control socket's actor: it receives every
// request the IPC server read (Forward, on the connection's goroutine),
// authorizes it, translates it (messages.FromWire) and forwards it to the
// interface manager or the admin actor, and turns the result back into
// the wire's reply (messages.ToWire). It holds no lease state and decides
// nothing the protocol decides; it only knows the PIDs it forwards to,
// and which of them stopped for good, so that every command still gets
// exactly one answer (SPEC §3).
//
// It imports messages, ipc, clock and version (and protoactor, zap), not
// package actors: the manager and the admin actor are PIDs to it, so
// that the control path's dependencies are explicit and its tests need
// no interface actor.
package control
