// Package actors is the agent's actor system (protoactor-go): the IPC actor
// that receives control requests, the manager that supervises one actor per
// managed interface and routes requests to it, and the interface actor that
// owns one interface's lease machine, timers and transaction.
//
// Actors are thin: an interface actor turns messages into lease.Machine
// events and carries the resulting actions out through the small interfaces
// in Env (transport, netlink, clock). Receive never blocks: timers are
// time.AfterFunc posting a generation-stamped message, and socket readers
// are goroutines posting packets.
package actors
