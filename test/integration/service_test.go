//go:build integration

package integration

import (
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// notifySocket is a NOTIFY_SOCKET the test listens on, as systemd does for
// a Type=notify service: every datagram the agent sends is one message.
type notifySocket struct {
	path string
	msgs chan string
}

func listenNotify(t *testing.T, dir string) *notifySocket {
	t.Helper()
	path := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("notify socket: %v", err)
	}
	n := &notifySocket{path: path, msgs: make(chan string, 256)}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				close(n.msgs)
				return
			}
			n.msgs <- string(buf[:k])
		}
	}()
	return n
}

// waitFor returns the first message with the line want (READY=1, ...),
// failing after timeout; seen collects every message read on the way.
func (n *notifySocket) waitFor(t *testing.T, timeout time.Duration, want string, seen *[]string) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-n.msgs:
			if !ok {
				t.Fatalf("notify socket closed before %s; got %q", want, *seen)
			}
			*seen = append(*seen, m)
			for line := range strings.SplitSeq(m, "\n") {
				if line == want {
					return m
				}
			}
		case <-deadline:
			t.Fatalf("no %s on NOTIFY_SOCKET within %v; got %q", want, timeout, *seen)
		}
	}
}

// TestServiceNotify runs the agent as systemd runs a Type=notify service
// with WatchdogSec: READY=1 comes once the socket serves and the stored
// interface has been resumed (status already shows it managed), STATUS=
// summarises, WATCHDOG=1 follows at half the interval, STOPPING=1 at
// SIGTERM, as systemctl stop sends it. agentctl version shows both
// binaries' version.
func TestServiceNotify(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	startBound(t, lab, "30")
	if err := lab.StopAgent(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	n := listenNotify(t, lab.Dir)
	lab.opts.AgentEnv = []string{"NOTIFY_SOCKET=" + n.path, "WATCHDOG_USEC=2000000"}
	lab.StartAgent()
	var seen []string
	ready := n.waitFor(t, 20*time.Second, "READY=1", &seen)
	if !strings.Contains(ready, "STATUS=1 interfaces:") {
		t.Errorf("READY=1 without a STATUS summary of the resumed interface: %q", ready)
	}
	// Resumed before READY: the interface is managed at once.
	var st fullStatus
	if err := lab.CtlJSON(&st, "status", ClientIface); err != nil {
		t.Fatalf("status right after READY=1: %v", err)
	}
	n.waitFor(t, 5*time.Second, "WATCHDOG=1", &seen)

	out, err := lab.Ctl("version")
	if err != nil {
		t.Fatalf("agentctl version: %v", err)
	}
	ver, err := exec.Command(lab.agentBin, "--version").Output()
	if err != nil {
		t.Fatalf("agent --version: %v", err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(ver)), "dhcpagent ")
	if v == "" || !strings.Contains(out, "agentctl "+v+"\n") || !strings.Contains(out, "agent    "+v+"\n") {
		t.Errorf("agentctl version = %q; agent --version = %q", out, ver)
	}

	if err := lab.agent.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	n.waitFor(t, 10*time.Second, "STOPPING=1", &seen)
	if err := lab.StopAgent(); err != nil {
		t.Errorf("agent exit after SIGTERM: %v", err)
	}
	for i, m := range seen {
		if strings.Contains(m, "READY=1") && i > 0 && strings.Contains(strings.Join(seen[:i], "\n"), "WATCHDOG=1") {
			t.Errorf("WATCHDOG=1 before READY=1: %q", seen)
		}
	}
}

// agentCaps is the capability set of the systemd unit (dist/dhcpagent.service).
var agentCaps = []string{"net_admin", "net_raw", "net_bind_service"}

// capMask is the CapEff bit mask of capabilities named as setpriv names them.
func capMask(t *testing.T, names []string) uint64 {
	t.Helper()
	bits := map[string]uint{"net_bind_service": 10, "net_admin": 12, "net_raw": 13, "sys_admin": 21}
	var m uint64
	for _, n := range names {
		b, ok := bits[n]
		if !ok {
			t.Fatalf("capMask: unknown %s", n)
		}
		m |= 1 << b
	}
	return m
}

// TestServiceCapabilities runs the agent with exactly the unit's capability
// bounding set (and no new privileges), as systemd would, and binds a lease
// from dnsmasq: the address and default route reach the kernel, and the
// agent's effective set is the reduced one.
func TestServiceCapabilities(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	bounding := "-all"
	for _, c := range agentCaps {
		bounding += ",+" + c
	}
	lab := newLab(t, LabOptions{Server: Dnsmasq, AgentWrap: []string{
		"setpriv", "--bounding-set", bounding, "--inh-caps", "-all", "--no-new-privs", "--"}})

	status := readFile("/proc/" + strconv.Itoa(lab.agent.cmd.Process.Pid) + "/status")
	var eff uint64
	for line := range strings.SplitSeq(status, "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			eff, _ = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	if want := capMask(t, agentCaps); eff != want {
		t.Fatalf("agent CapEff = %#x, want %#x (setpriv did not reduce it)", eff, want)
	}

	st := startBound(t, lab, "30")
	found := false
	for _, a := range lab.ClientAddrs() {
		if a.Prefix.Addr() == st.addr() {
			found = true
		}
	}
	if !found {
		t.Fatalf("bound %s under the reduced set, but the kernel has %v", st.addr(), lab.ClientAddrs())
	}
	gw := netip.MustParsePrefix("0.0.0.0/0")
	if !slices.ContainsFunc(gatewayRoutes(lab), func(r Route) bool { return r.Dst == gw && r.Gateway.String() == router }) {
		t.Errorf("no default route via %s under the reduced set: %v", router, lab.ClientRoutes())
	}
	if err := lab.StopAgent(); err != nil {
		t.Errorf("agent exit under the reduced set: %v", err)
	}
	if log := lab.AgentLog(); strings.Contains(log, "operation not permitted") {
		t.Errorf("the agent hit a missing capability:\n%s", log)
	}
}
