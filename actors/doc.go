// Package actors is the agent's actor system (protoactor-go): the manager
// that supervises one actor per managed interface and routes requests to
// it, the interface actor that owns one interface's lease machine, timers
// and transaction, and the admin actor that keeps the ipadm objects. The
// IPC actor in front of them, which receives the control requests, is
// package control's.
//
// Actors are thin: they decide nothing the protocol decides. An interface
// actor turns messages into lease.Machine events and carries the resulting
// actions out through the small interfaces in Env (transport, netlink,
// clock, store, hooks); the manager answers commands for interfaces
// without a machine as lease.Unmanaged says; hooks wait in a hook.Queue.
// Receive never blocks: timers are clock.Timers posting a
// generation-stamped message, socket readers are goroutines posting
// packets, and slow work (netlink, fsync, fork and exec) runs on
// goroutines that post their results back.
package actors
