//go:build integration

package integration

// Harness for the survival tests (issue 5, survive_*_test.go): here the
// control protocol spoken directly (for the test-only commands agentctl
// lacks), the agent's log and its state directory; a watch on one address
// (ip monitor and netlink polling) in survive_watch_test.go and
// survive_netlink_test.go; a firewall that holds the agent in REQUESTING in
// survive_faults_test.go; a lab with several client interfaces in
// survive_links_test.go.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// svBindWait is start's --wait in the survival tests: time for a
// retransmission of the DISCOVER (after 4 s) on a loaded machine.
const svBindWait = "10"

// svReply is a reply of the control protocol (docs/ipc.md).
type svReply struct {
	Version  int          `json:"version"`
	ID       uint64       `json:"id"`
	Error    string       `json:"error"`
	Message  string       `json:"message"`
	Status   *fullStatus  `json:"status"`
	Statuses []fullStatus `json:"statuses"`
}

// svRequest sends one request over the agent's socket, framed as
// docs/ipc.md says (4-byte big-endian length, then JSON), and reads the
// reply. The socket is a file, so no namespace is entered. wait is the
// request's wait_ms in milliseconds. It does not use t: goroutines may
// call it.
func (l *Lab) svRequest(command, ifname string, wait time.Duration) (svReply, error) {
	var rep svReply
	body, err := json.Marshal(map[string]any{
		"version": 1, "id": 1, "command": command, "ifname": ifname, "wait_ms": wait.Milliseconds(),
	})
	if err != nil {
		return rep, err
	}
	conn, err := net.DialTimeout("unix", l.Socket, 5*time.Second)
	if err != nil {
		return rep, fmt.Errorf("%s %s: %w", command, ifname, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(wait + 10*time.Second)); err != nil {
		return rep, err
	}
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	if _, err := conn.Write(append(frame, body...)); err != nil {
		return rep, fmt.Errorf("%s %s: write: %w", command, ifname, err)
	}
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return rep, fmt.Errorf("%s %s: read reply length: %w", command, ifname, err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > 16<<20 {
		return rep, fmt.Errorf("%s %s: reply of %d bytes", command, ifname, n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return rep, fmt.Errorf("%s %s: read reply: %w", command, ifname, err)
	}
	if err := json.Unmarshal(buf, &rep); err != nil {
		return rep, fmt.Errorf("%s %s: reply %q: %w", command, ifname, buf, err)
	}
	return rep, nil
}

// svPanic makes the actor of ifname panic (debug-panic, --test-hooks) and
// requires the agent's OK, which it sends before panicking.
func (l *Lab) svPanic(ifname string) {
	l.t.Helper()
	rep, err := l.svRequest("debug-panic", ifname, 5*time.Second)
	if err != nil || rep.Error != "" {
		l.t.Fatalf("debug-panic %s: %+v, %v", ifname, rep, err)
	}
}

// svStatus is the status of ifname over the socket; a reply with an error
// code is an error.
func (l *Lab) svStatus(ifname string) (fullStatus, error) {
	rep, err := l.svRequest("status", ifname, 3*time.Second)
	switch {
	case err != nil:
		return fullStatus{}, err
	case rep.Error != "":
		return fullStatus{}, fmt.Errorf("status %s: %s: %s", ifname, rep.Error, rep.Message)
	case rep.Status == nil:
		return fullStatus{}, fmt.Errorf("status %s: no status in %+v", ifname, rep)
	}
	return *rep.Status, nil
}

// svWaitState polls the status of ifname until it is in state on addr
// (any address when addr is invalid) and returns it.
func (l *Lab) svWaitState(timeout time.Duration, ifname, state string, addr netip.Addr) fullStatus {
	l.t.Helper()
	var st fullStatus
	waitUntil(l.t, timeout, fmt.Sprintf("%s %s on %v", ifname, state, addr), func() error {
		var err error
		if st, err = l.svStatus(ifname); err != nil {
			return err
		}
		if st.State != state || (addr.IsValid() && st.addr() != addr) {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
	return st
}

// Agent log.

// svLogLine is one line of the agent's JSON log, with the fields the
// survival tests read.
type svLogLine struct {
	TS    time.Time `json:"ts"`
	Msg   string    `json:"msg"`
	Iface string    `json:"iface"`
	Event string    `json:"event"`
	File  string    `json:"file"`
	Text  string    `json:"-"` // the whole line
}

// svLog returns the agent's log lines that are JSON, over all its runs.
func (l *Lab) svLog() []svLogLine {
	var out []svLogLine
	for line := range strings.SplitSeq(l.AgentLog(), "\n") {
		var rec svLogLine
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg != "" {
			rec.Text = line
			out = append(out, rec)
		}
	}
	return out
}

// svWaitLog waits until the agent has logged a line whose message
// contains msg (and, when iface is not empty, names that interface),
// and returns the first such line.
func (l *Lab) svWaitLog(timeout time.Duration, msg, iface string) svLogLine {
	l.t.Helper()
	var found svLogLine
	waitUntil(l.t, timeout, fmt.Sprintf("%q (iface %q) in the agent's log", msg, iface), func() error {
		for _, rec := range l.svLog() {
			if strings.Contains(rec.Msg, msg) && (iface == "" || rec.Iface == iface) {
				found = rec
				return nil
			}
		}
		return errors.New("not logged yet")
	})
	return found
}

// svEvents returns the hook events the agent logged for ifname, in order.
func (l *Lab) svEvents(ifname string) []string {
	var out []string
	for _, rec := range l.svLog() {
		if rec.Msg == "event" && rec.Iface == ifname {
			out = append(out, rec.Event)
		}
	}
	return out
}

// State directory.

// svLeaseFile is the agent's lease record of ifname.
func (l *Lab) svLeaseFile(ifname string) string {
	return filepath.Join(l.StateDir, "leases", ifname+".json")
}

// svManaged reports whether the state directory has ifname under
// management, to be resumed by the next agent. The set lives in
// interfaces/IFNAME.json ({"ifname", "iaid", "managed"}) since commit
// 69bc6ce; before, host.json listed it ("managed": [...]), as
// docs/design.md still says. Either is accepted.
func (l *Lab) svManaged(ifname string) bool {
	l.t.Helper()
	b, err := os.ReadFile(filepath.Join(l.StateDir, "interfaces", ifname+".json"))
	if err == nil {
		var rec struct {
			Ifname  string `json:"ifname"`
			Managed bool   `json:"managed"`
		}
		if err := json.Unmarshal(b, &rec); err != nil || rec.Ifname != ifname {
			l.t.Fatalf("interface record of %s: %v: %s", ifname, err, b)
		}
		return rec.Managed
	}
	if !errors.Is(err, os.ErrNotExist) {
		l.t.Fatalf("interface record of %s: %v", ifname, err)
	}
	var host struct {
		Managed []string `json:"managed"`
	}
	if b, err = os.ReadFile(filepath.Join(l.StateDir, "host.json")); err != nil {
		return false
	}
	if err := json.Unmarshal(b, &host); err != nil {
		l.t.Fatalf("host.json: %v: %s", err, b)
	}
	return slices.Contains(host.Managed, ifname)
}

// svLeaseRecord is the part of a lease record the tests read.
type svLeaseRecord struct {
	Ifname  string    `json:"ifname"`
	Address string    `json:"address"`
	ACK     string    `json:"ack"`
	Began   time.Time `json:"began"`
}

// svRecordAddr is the leased address of a record, whose "address" field
// is informational: the agent writes it as ADDR/PLEN.
func svRecordAddr(rec svLeaseRecord) netip.Addr {
	if p, err := netip.ParsePrefix(rec.Address); err == nil {
		return p.Addr()
	}
	a, _ := netip.ParseAddr(rec.Address)
	return a
}

// svReadLease reads the lease record of ifname; ok is false when there is
// none.
func (l *Lab) svReadLease(ifname string) (rec svLeaseRecord, ok bool) {
	l.t.Helper()
	b, err := os.ReadFile(l.svLeaseFile(ifname))
	if errors.Is(err, os.ErrNotExist) {
		return rec, false
	}
	if err != nil {
		l.t.Fatalf("lease record: %v", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		l.t.Fatalf("lease record %s: %v: %s", l.svLeaseFile(ifname), err, b)
	}
	return rec, true
}

// svClientLeases returns the server's leases of the client with hardware
// address mac.
func (l *Lab) svClientLeases(mac net.HardwareAddr) []ServerLease {
	l.t.Helper()
	var out []ServerLease
	for _, lease := range l.ServerLeases() {
		if lease.MAC.String() == mac.String() {
			out = append(out, lease)
		}
	}
	return out
}

// svIsReboot reports whether p is an INIT-REBOOT REQUEST from mac for
// addr: option 50 only, no server id, ciaddr zero, from 0.0.0.0:68.
func svIsReboot(p Packet, mac string, addr netip.Addr) bool {
	return p.DHCP == MsgRequest && p.SrcMAC == mac && p.OptionAddr(50) == addr && !p.Has(54) &&
		!p.ClientIP.IsValid() && p.Src == netip.MustParseAddrPort("0.0.0.0:68")
}
