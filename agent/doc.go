// Package agent wires the daemon together: it takes the control socket
// (refusing to start when another agent holds it), opens the shared
// transport, starts the actor system and serves control requests until its
// context ends. cmd/agent only parses flags and calls Run.
package agent
