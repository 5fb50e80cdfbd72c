package ipc

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Version is the protocol version carried by every request and reply.
const Version = 1

// Limits on a request (SPEC §3).
const (
	MaxRequest     = 64 << 10
	MaxReply       = 16 << 20
	RequestTimeout = 3 * time.Second
	// DefaultWait is how long a command waits for its outcome when the
	// request does not say.
	DefaultWait = 120 * time.Second
)

// Commands.
const (
	CmdStart   = "start"
	CmdDrop    = "drop"
	CmdRelease = "release"
	CmdStatus  = "status"
	CmdExtend  = "extend"
	CmdInform  = "inform"
	CmdPing    = "ping"
	CmdInfo    = "info"
	CmdWatch   = "watch"
	// CmdVersion answers the agent's version in Message.
	CmdVersion = "version"
	// CmdPanic makes an interface actor panic; only with --test-hooks.
	CmdPanic = "debug-panic"
	// CmdStats answers "GOROUTINES conns=N" (N: connections being served);
	// only with --test-hooks.
	CmdStats = "debug-stats"

	// Interface and address administration (SPEC §4).
	CmdCreateIf    = "create-if"
	CmdDeleteIf    = "delete-if"
	CmdEnableIf    = "enable-if"
	CmdDisableIf   = "disable-if"
	CmdShowIf      = "show-if"
	CmdCreateAddr  = "create-addr"
	CmdDeleteAddr  = "delete-addr"
	CmdRefreshAddr = "refresh-addr"
	CmdShowAddr    = "show-addr"
)

// Arguments of requests.
const (
	// ArgPrimary ("yes") makes start's interface the primary one.
	ArgPrimary = "primary"
	// ArgOption names the option info reads: a code, a name, vendor:N or
	// field:OFFSET:LEN.
	ArgOption = "option"
	// ArgTemporary ("yes") makes an object active only (-t).
	ArgTemporary = "temporary"
	// ArgFamilies is -f of create-if and delete-if: v4, v6 or v4,v6.
	ArgFamilies = "families"
	// ArgObject is an address object, IF/NAME.
	ArgObject = "object"
	// ArgType is create-addr's -T: static or dhcp.
	ArgType = "type"
	// ArgAddress is a static object's ADDR/PLEN, or the address inform
	// asks about.
	ArgAddress = "address"
	// ArgHostname is create-addr's -h: the host name DHCP asks for.
	ArgHostname = "hostname"
	// ArgRelease ("yes") makes delete-addr release a DHCP lease (-r).
	ArgRelease = "release"
	// ArgInform ("yes") makes refresh-addr send INFORM (-i).
	ArgInform = "inform"
)

// Request is what a client asks.
type Request struct {
	Version int    `json:"version"`
	ID      uint64 `json:"id"`
	Command string `json:"command"`
	// Ifname names the interface; "" means the primary one.
	Ifname string `json:"ifname"`
	// WaitMs bounds the wait for the outcome: -1 waits forever, nil means
	// DefaultWait.
	WaitMs *int64            `json:"wait_ms,omitempty"`
	Args   map[string]string `json:"args,omitempty"`
}

// Wait returns the request's wait; forever is reported as ok == false.
func (r *Request) Wait() (d time.Duration, ok bool) {
	switch {
	case r.WaitMs == nil:
		return DefaultWait, true
	case *r.WaitMs < 0:
		return 0, false
	default:
		return time.Duration(*r.WaitMs) * time.Millisecond, true
	}
}

// Reply is the agent's answer. Error is empty on success.
type Reply struct {
	Version  int      `json:"version"`
	ID       uint64   `json:"id"`
	Error    Code     `json:"error,omitempty"`
	Message  string   `json:"message,omitempty"`
	Status   *Status  `json:"status,omitempty"`
	Statuses []Status `json:"statuses,omitempty"`
	// Values are info's answer, one per line of dhcpinfo's output; Raw
	// is the option's bytes in hex.
	Values []string `json:"values,omitempty"`
	Raw    string   `json:"raw,omitempty"`
	// Interfaces and Addresses answer show-if and show-addr.
	Interfaces []IfInfo   `json:"interfaces,omitempty"`
	Addresses  []AddrInfo `json:"addresses,omitempty"`
}

// IfInfo is a line of show-if.
type IfInfo struct {
	Ifname     string `json:"ifname"`
	State      string `json:"state"`
	Current    string `json:"current"`
	Persistent string `json:"persistent"`
}

// AddrInfo is a line of show-addr.
type AddrInfo struct {
	Addrobj    string `json:"addrobj"`
	Type       string `json:"type"`
	State      string `json:"state"`
	Current    string `json:"current"`
	Persistent string `json:"persistent"`
	Addr       string `json:"addr"`
}

// Event is one item of the watch stream: a state change or a hook event
// of an interface, with its counters at that moment.
type Event struct {
	Time     time.Time `json:"time"`
	Ifname   string    `json:"ifname"`
	Kind     string    `json:"kind"` // "state" or "event"
	State    string    `json:"state"`
	From     string    `json:"from,omitempty"`  // previous state, for "state"
	Event    string    `json:"event,omitempty"` // hook event name, for "event"
	Address  string    `json:"address,omitempty"`
	Sent     uint64    `json:"sent"`
	Received uint64    `json:"received"`
	Declined uint64    `json:"declined"`
	// Until is, for a "state" event entering V6ONLY, when DHCPv4
	// resumes (RFC 8925).
	Until *time.Time `json:"until,omitempty"`
}

// Status describes one managed interface (SPEC §3).
type Status struct {
	Ifname    string     `json:"ifname"`
	State     string     `json:"state"`
	Flags     []string   `json:"flags"`
	Address   string     `json:"address"`
	Prefix    int        `json:"prefix"`
	Server    string     `json:"server"`
	Began     *time.Time `json:"began"`
	T1        *time.Time `json:"t1"`
	T2        *time.Time `json:"t2"`
	Expires   *time.Time `json:"expires"`
	Sent      uint64     `json:"sent"`
	Received  uint64     `json:"received"`
	BadOffers uint64     `json:"bad_offers"`
	Declined  uint64     `json:"declined"`
	// V6OnlyUntil is when DHCPv4 resumes in V6ONLY (an IPv6-only
	// network, RFC 8925); null in any other state.
	V6OnlyUntil *time.Time `json:"v6only_until"`
	// Warnings are the state dir's problems the agent ran on past that
	// concern this interface (its records, or the whole dir), oldest
	// first; [] when there are none.
	Warnings []Warning `json:"warnings"`
	// Refusals are the latest replies (or parts of them) the interface
	// refused and exchanges that failed, oldest first, at most 8.
	Refusals []Refusal `json:"refusals"`
}

// Warning is one problem and when it was found.
type Warning struct {
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
}

// Refusal is one refusal or failure of an interface: when, its reason
// (the reason label of dhcpagent_refused_total) and what was wrong.
type Refusal struct {
	Time   time.Time `json:"time"`
	Reason string    `json:"reason"`
	Detail string    `json:"detail"`
}

// ErrProto is wrapped by every decoding failure: the peer broke the protocol.
var ErrProto = errors.New("malformed message")

// WriteFrame writes v as one frame.
func WriteFrame(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	b := make([]byte, 4, 4+len(body))
	binary.BigEndian.PutUint32(b, uint32(len(body)))
	_, err = w.Write(append(b, body...))
	return err
}

// readFrame reads one frame of at most limit bytes.
func readFrame(r io.Reader, limit int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > uint32(limit) {
		return nil, fmt.Errorf("%w: frame of %d bytes exceeds %d", ErrProto, n, limit)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// ReadRequest reads and validates one request frame.
func ReadRequest(r io.Reader) (*Request, error) {
	body, err := readFrame(r, MaxRequest)
	if err != nil {
		return nil, err
	}
	return DecodeRequest(body)
}

// DecodeRequest parses a request body. Unknown fields, trailing data, a
// wrong version or a missing command are protocol errors.
func DecodeRequest(body []byte) (*Request, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProto, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the request", ErrProto)
	}
	if req.Version != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrProto, req.Version, Version)
	}
	if req.Command == "" {
		return nil, fmt.Errorf("%w: no command", ErrProto)
	}
	return &req, nil
}

// ReadEvent reads one frame of the watch stream.
func ReadEvent(r io.Reader) (*Event, error) {
	body, err := readFrame(r, MaxReply)
	if err != nil {
		return nil, err
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProto, err)
	}
	return &ev, nil
}

// ReadReply reads one reply frame.
func ReadReply(r io.Reader) (*Reply, error) {
	body, err := readFrame(r, MaxReply)
	if err != nil {
		return nil, err
	}
	var rep Reply
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProto, err)
	}
	return &rep, nil
}
