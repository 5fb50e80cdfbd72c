//go:build integration

package integration

// The rogue DHCP server of issue 12's proofs: a raw-socket server whose
// replies each scenario writes byte by byte, junk included. It is this test
// binary run again in the server namespace with rogueEnv set (init sees it
// and serves instead of running tests), so a Lab runs it like dnsmasq or
// Kea: LabOptions{Server: Rogue, Rogue: scenario}. It answers every
// DISCOVER with the scenario's OFFER and every REQUEST (selecting,
// INIT-REBOOT, renewing, rebinding) with its ACK or a NAK, and logs each
// client message and reply as a JSON line, so that a test can count what
// the agent sent and when.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// rogueEnv carries the scenario (JSON) to the rogue server process.
const rogueEnv = "DHCPAGENT_TEST_ROGUE"

// rogueReady is the line the rogue server logs once it serves.
const rogueReady = "rogue server ready"

func init() {
	if spec := os.Getenv(rogueEnv); spec != "" {
		os.Exit(runRogue(spec))
	}
}

// rogueOption is one DHCP option as sent: code and raw value, unchecked.
type rogueOption struct {
	Code byte   `json:"code"`
	Data []byte `json:"data"`
}

// rogueReply is how the rogue server answers one kind of client message.
type rogueReply struct {
	// NAK answers with a DHCPNAK (options 53 and 54 only).
	NAK    bool       `json:"nak"`
	Yiaddr netip.Addr `json:"yiaddr"`
	// Options follow option 53 (added by the server) in this order; then
	// 255. Sname and File, when set, fill those fields with options (the
	// scenario adds option 52 itself, RFC 2132 §9.3).
	Options []rogueOption `json:"options"`
	Sname   []rogueOption `json:"sname,omitempty"`
	File    []rogueOption `json:"file,omitempty"`
	// Tail, when set, follows the options in place of the end option 255
	// (an option running past the end of the packet, say), and Truncate,
	// when > 0, cuts the BOOTP message to that many bytes.
	Tail     []byte `json:"tail,omitempty"`
	Truncate int    `json:"truncate,omitempty"`
}

// RogueScenario is what the rogue server answers to DISCOVER (Offer) and
// to REQUEST (Ack); Clients, by hardware address ("aa:bb:..."), gives a
// client a scenario of its own (Clients of those are not read).
type RogueScenario struct {
	Offer, Ack rogueReply
	Clients    map[string]RogueScenario `json:"clients,omitempty"`
}

// The rogue server's own address (the lab's ServerIface address) and the
// address its default scenario offers.
var (
	rogueServer = netip.MustParseAddr(router)
	rogueYiaddr = netip.MustParseAddr(poolFirst)
)

// rogueLease returns a well-formed reply: yiaddr 198.18.0.100, server id
// 198.18.0.1, the lease time, mask /24, router 198.18.0.1. Scenarios change
// it with set and drop.
func rogueLease(lease time.Duration) rogueReply {
	return rogueReply{Yiaddr: rogueYiaddr, Options: []rogueOption{
		{54, rogueServer.AsSlice()},
		{51, binary.BigEndian.AppendUint32(nil, uint32(lease/time.Second))},
		{1, []byte{255, 255, 255, 0}},
		{3, rogueServer.AsSlice()},
	}}
}

// rogueDefault is a scenario of well-formed 10-minute leases.
func rogueDefault() RogueScenario {
	return RogueScenario{Offer: rogueLease(10 * time.Minute), Ack: rogueLease(10 * time.Minute)}
}

// set replaces option code's value (appends the option when absent).
func (r rogueReply) set(code byte, data []byte) rogueReply {
	out := r
	out.Options = nil
	done := false
	for _, o := range r.Options {
		if o.Code == code {
			o, done = rogueOption{code, data}, true
		}
		out.Options = append(out.Options, o)
	}
	if !done {
		out.Options = append(out.Options, rogueOption{code, data})
	}
	return out
}

// drop removes option code.
func (r rogueReply) drop(code byte) rogueReply {
	out := r
	out.Options = nil
	for _, o := range r.Options {
		if o.Code != code {
			out.Options = append(out.Options, o)
		}
	}
	return out
}

// bothReplies applies f to the offer and the ACK of s.
func (s RogueScenario) bothReplies(f func(rogueReply) rogueReply) RogueScenario {
	s.Offer, s.Ack = f(s.Offer), f(s.Ack)
	return s
}

// rogueArgs returns the rogue server's command line and environment.
func (l *Lab) rogueArgs() (args, env []string) {
	l.t.Helper()
	self, err := os.Executable()
	if err != nil {
		l.t.Fatal(err)
	}
	b, err := json.Marshal(l.opts.Rogue)
	if err != nil {
		l.t.Fatal(err)
	}
	return []string{self}, []string{rogueEnv + "=" + string(b)}
}

// rogueLog is one line of the rogue server's log.
type rogueLog struct {
	Time   time.Time `json:"time"`
	Dir    string    `json:"dir"`  // "in" (from the client) or "out"
	Type   string    `json:"type"` // DISCOVER, REQUEST, OFFER, ACK, NAK, ...
	Xid    uint32    `json:"xid"`
	Ciaddr string    `json:"ciaddr"`
	Chaddr string    `json:"chaddr"`
}

// RogueLog returns the rogue server's log, over all its runs.
func (l *Lab) RogueLog() []rogueLog {
	var out []rogueLog
	for line := range strings.SplitSeq(l.ServerLog(), "\n") {
		var r rogueLog
		if json.Unmarshal([]byte(line), &r) == nil && r.Dir != "" {
			out = append(out, r)
		}
	}
	return out
}

// ClientMessages returns what the client sent the rogue server since t.
func (l *Lab) ClientMessages(since time.Time) []rogueLog {
	var out []rogueLog
	for _, r := range l.RogueLog() {
		if r.Dir == "in" && !r.Time.Before(since) {
			out = append(out, r)
		}
	}
	return out
}

var messageTypes = map[byte]string{1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM"}

// runRogue serves the scenario in spec on ServerIface until killed, logging
// to stdout; it returns the exit status.
func runRogue(spec string) int {
	var sc RogueScenario
	if err := json.Unmarshal([]byte(spec), &sc); err != nil {
		fmt.Fprintf(os.Stderr, "rogue: bad scenario: %v\n", err)
		return 2
	}
	ifi, err := net.InterfaceByName(ServerIface)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rogue: %v\n", err)
		return 1
	}
	conn, err := packet.Listen(ifi, packet.Datagram, unix.ETH_P_IP, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rogue: %v\n", err)
		return 1
	}
	enc := json.NewEncoder(os.Stdout)
	fmt.Println(rogueReady)
	buf := make([]byte, 1<<16)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			fmt.Fprintf(os.Stderr, "rogue: read: %v\n", err)
			return 1
		}
		req, ok := bootRequest(buf[:n])
		if !ok {
			continue
		}
		typ := dhcpType(req)
		mac := net.HardwareAddr(req[28:34])
		ciaddr := netip.AddrFrom4([4]byte(req[12:16]))
		xid := binary.BigEndian.Uint32(req[4:8])
		_ = enc.Encode(rogueLog{Time: time.Now(), Dir: "in", Type: messageTypes[typ], Xid: xid, Ciaddr: ciaddr.String(), Chaddr: mac.String()})
		var r rogueReply
		var replyType byte
		mine := sc
		if c, ok := sc.Clients[mac.String()]; ok {
			mine = c
		}
		switch {
		case typ == 1:
			r, replyType = mine.Offer, 2
		case typ == 3 && mine.Ack.NAK:
			r, replyType = mine.Ack, 6
		case typ == 3:
			r, replyType = mine.Ack, 5
		default:
			continue // DECLINE, RELEASE, INFORM: nothing to answer
		}
		dst := netip.AddrFrom4([4]byte{255, 255, 255, 255})
		if ciaddr.IsValid() && !ciaddr.IsUnspecified() && replyType != 6 {
			dst = ciaddr // RFC 2131 §4.1: a client with an address is answered there
		}
		frame := udpFrame(rogueServer, dst, bootReply(req, r, replyType))
		if _, err := conn.WriteTo(frame, &packet.Addr{HardwareAddr: mac}); err != nil {
			fmt.Fprintf(os.Stderr, "rogue: write: %v\n", err)
			continue
		}
		_ = enc.Encode(rogueLog{Time: time.Now(), Dir: "out", Type: messageTypes[replyType], Xid: xid, Chaddr: mac.String()})
	}
}

// bootRequest returns the BOOTP message of an IPv4/UDP packet to port 67
// with op BOOTREQUEST, a 6-byte hardware address and the magic cookie.
func bootRequest(b []byte) ([]byte, bool) {
	if len(b) < 20 || b[0]>>4 != 4 || b[9] != 17 {
		return nil, false
	}
	ihl := int(b[0]&0x0f) * 4
	if len(b) < ihl+8 || binary.BigEndian.Uint16(b[ihl+2:]) != 67 {
		return nil, false
	}
	m := b[ihl+8:]
	if len(m) < 240 || m[0] != 1 || m[2] != 6 || binary.BigEndian.Uint32(m[236:]) != 0x63825363 {
		return nil, false
	}
	return m, true
}

// dhcpType returns option 53 of a BOOTP message, 0 when absent.
func dhcpType(m []byte) byte {
	for o := m[240:]; len(o) > 0; {
		switch {
		case o[0] == 255:
			return 0
		case o[0] == 0:
			o = o[1:]
		case len(o) < 2 || len(o) < 2+int(o[1]):
			return 0
		case o[0] == 53 && o[1] == 1:
			return o[2]
		default:
			o = o[2+int(o[1]):]
		}
	}
	return 0
}

// bootReply builds the BOOTREPLY to req: its xid, flags, giaddr and chaddr;
// ciaddr echoed in an ACK (RFC 2131 table 3); yiaddr and options from r.
func bootReply(req []byte, r rogueReply, typ byte) []byte {
	m := make([]byte, 240)
	m[0], m[1], m[2] = 2, 1, 6
	copy(m[4:8], req[4:8])     // xid
	copy(m[10:12], req[10:12]) // flags
	if typ == 5 {
		copy(m[12:16], req[12:16]) // ciaddr
	}
	if typ != 6 && r.Yiaddr.IsValid() {
		y := r.Yiaddr.As4()
		copy(m[16:20], y[:])
	}
	copy(m[24:28], req[24:28]) // giaddr
	copy(m[28:44], req[28:44]) // chaddr
	fill := func(field []byte, opts []rogueOption) {
		var b []byte
		for _, o := range opts {
			b = append(append(b, o.Code, byte(len(o.Data))), o.Data...)
		}
		copy(field, append(b, 255))
	}
	if r.Sname != nil {
		fill(m[44:108], r.Sname)
	}
	if r.File != nil {
		fill(m[108:236], r.File)
	}
	binary.BigEndian.PutUint32(m[236:], 0x63825363)
	m = append(m, 53, 1, typ)
	if typ == 6 {
		m = append(m, 54, 4)
		m = append(m, rogueServer.AsSlice()...)
	} else {
		for _, o := range r.Options {
			m = append(append(m, o.Code, byte(len(o.Data))), o.Data...)
		}
	}
	if r.Tail != nil {
		m = append(m, r.Tail...)
	} else {
		m = append(m, 255)
	}
	if r.Truncate > 0 && r.Truncate < len(m) {
		m = m[:r.Truncate]
	}
	return m
}

// udpFrame wraps payload in IPv4 and UDP headers from src:67 to dst:68.
// The UDP checksum is left 0 ("none", RFC 768), which IPv4 allows.
func udpFrame(src, dst netip.Addr, payload []byte) []byte {
	b := make([]byte, 28+len(payload))
	b[0], b[8], b[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	s, d := src.As4(), dst.As4()
	copy(b[12:16], s[:])
	copy(b[16:20], d[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(b[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(b[20:], 67)
	binary.BigEndian.PutUint16(b[22:], 68)
	binary.BigEndian.PutUint16(b[24:], uint16(8+len(payload)))
	copy(b[28:], payload)
	return b
}

// kernelJunk returns what on ClientIface no lease of the lab's subnet could
// have put there, nil when nothing: an address outside 198.18.0.0/24, its
// network address, one with a prefix shorter than /8 or without a lifetime;
// a route whose destination is loopback, multicast, class E or the limited
// broadcast, or whose gateway is the client's own address.
func kernelJunk(lab *Lab) error {
	var junk []string
	own := map[netip.Addr]bool{}
	for _, a := range lab.ClientAddrs() {
		own[a.Prefix.Addr()] = true
		switch {
		case !labSubnet.Contains(a.Prefix.Addr()) || a.Prefix.Addr() == labSubnet.Addr():
			junk = append(junk, fmt.Sprintf("address %v", a.Prefix))
		case a.Prefix.Bits() < 8:
			junk = append(junk, fmt.Sprintf("address %v with prefix /%d", a.Prefix, a.Prefix.Bits()))
		case a.ValidLft == Forever || a.PreferredLft == Forever:
			junk = append(junk, fmt.Sprintf("permanent address %v (valid %v, preferred %v)", a.Prefix, a.ValidLft, a.PreferredLft))
		}
	}
	for _, r := range lab.ClientRoutes() {
		d := r.Dst.Addr()
		switch {
		case d.IsLoopback(), d.IsMulticast(), d.As4()[0] >= 240, r.Dst == netip.MustParsePrefix("255.255.255.255/32"):
			junk = append(junk, fmt.Sprintf("route %+v", r))
		case own[r.Gateway]:
			junk = append(junk, fmt.Sprintf("route %+v via the client's own address", r))
		}
	}
	if junk == nil {
		return nil
	}
	return fmt.Errorf("junk in the kernel on %s: %s", ClientIface, strings.Join(junk, "; "))
}
