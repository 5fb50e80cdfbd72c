// Package ipc is the agent's control protocol: the wire format, the server
// that reads requests from the unix socket and checks who sent them, and the
// client library agentctl uses. Nothing else in the project knows the bytes.
//
// Every exchange on a connection is one request and one reply, each a frame:
// a 4-byte big-endian length followed by that many bytes of JSON. A request
// must arrive complete within RequestTimeout of connecting and be at most
// MaxRequest bytes; otherwise the server answers PROTO and closes the
// connection. Callers other than root are held to Limits (connections and
// watch streams, per uid and together) and the accept loop outlives
// descriptor exhaustion (acceptLoop); every refusal is counted by reason
// and logged, rate-limited. docs/ipc.md describes the format and the
// limits for other clients.
package ipc
