//go:build integration

// Package integration runs the real agent and agentctl binaries against real
// DHCP servers (dnsmasq, Kea) inside network namespaces that each test builds
// and tears down itself. The tests need root; they skip when not run as root
// or when a server is not installed (scripts/deps.sh installs them).
//
//	make build && go test -tags integration ./test/integration/
//
// The harness is split by concept: lab_test.go (the Lab and its
// namespaces), agent_test.go (agent and agentctl), servers_test.go (dnsmasq
// and Kea configuration), leases_test.go (the servers' lease records),
// kernel_test.go (addresses, routes and links in the client namespace),
// capture_test.go and packet_test.go (tcpdump on the server's link),
// faults_test.go (an ARP squatter, a firewall), proc_test.go (processes and
// polling), selfcheck_test.go (the harness checked with busybox udhcpc),
// rogue_lab_test.go (a scripted raw-socket server, LabOptions.Rogue) and
// attack_test.go (attackers run as user nobody).
//
// Every lab has namespaces and files of its own, so tests may call
// t.Parallel().
package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	// ClientIface is the client end of the veth pair, in the client namespace.
	ClientIface = "eth-cli"
	// ServerIface is the server end, in the server namespace.
	ServerIface = "eth-srv"

	// InfiniteLease as LabOptions.LeaseTime makes the server hand out
	// infinite leases.
	InfiniteLease time.Duration = -1
	// Forever is the lifetime Addr reports for an address that never expires.
	Forever time.Duration = math.MaxInt64

	serverPrefix = "198.18.0.1/24"
	poolFirst    = "198.18.0.100"
	poolLast     = "198.18.0.150"
	router       = "198.18.0.1"

	stopGrace   = 10 * time.Second // SIGTERM to SIGKILL
	execTimeout = 2 * time.Minute  // bound on any one command a test runs
)

// labSubnet is the one subnet of every lab; the server is router on it.
var labSubnet = netip.MustParsePrefix(serverPrefix).Masked()

// LabOptions configures newLab. The zero value (with a Server) is a lab with a
// 10-minute lease and a running agent.
type LabOptions struct {
	Server ServerKind
	// LeaseTime is the lease the server grants: 0 means 10 minutes,
	// InfiniteLease an infinite one. dnsmasq refuses less than 2 minutes
	// (newLab fails the test rather than let it round up); Kea accepts seconds.
	LeaseTime time.Duration
	// RenewTime and RebindTime, when set, are sent as options 58 and 59.
	RenewTime, RebindTime time.Duration
	// DNS and Domain, when set, are sent as options 6 and 15.
	DNS    []netip.Addr
	Domain string
	// RapidCommit enables RFC 4039 on the server (dnsmasq only).
	RapidCommit bool
	// PoolFirst and PoolLast bound the dynamic pool, inside 198.18.0.0/24;
	// zero values mean 198.18.0.100-198.18.0.150.
	PoolFirst, PoolLast netip.Addr
	// Routers are sent as option 3: nil means [198.18.0.1]; an empty,
	// non-nil slice sends no option 3.
	Routers []netip.Addr
	// ClasslessRoutes, when set, are sent as option 121 (RFC 3442).
	ClasslessRoutes []ClasslessRoute
	// HostName, when set, is sent as option 12.
	HostName string
	// MTU, when > 0, is sent as option 26.
	MTU int
	// V6OnlyWait, when > 0, is sent as option 108 (RFC 8925
	// IPv6-Only Preferred) to clients that ask for it (Kea only).
	V6OnlyWait time.Duration
	// Reservations pin an address to a hardware address.
	Reservations []Reservation

	// Rogue is the scenario of the Rogue server (rogue_lab_test.go).
	Rogue RogueScenario

	// Subnets adds client NICs on subnets of their own (SubnetNIC), and
	// SharedNICs NICs on the lab's subnet (SharedNIC, through a bridge in
	// the server namespace): see multinic_lab_test.go.
	Subnets, SharedNICs int

	// NoAgent leaves the agent stopped; StartAgent starts it.
	NoAgent bool
	// AgentConfig is appended to the lab's defaults (agentConfigDefaults)
	// in the file passed as --config, so the agent never reads the host's
	// /etc/dhcpagent/dhcpagent.conf. Later lines override earlier ones.
	AgentConfig string
	// AgentArgs are extra agent flags (for example "-d", "2").
	AgentArgs []string
	// AgentEnv are extra VAR=value settings of the agent's environment
	// (NOTIFY_SOCKET, WATCHDOG_USEC).
	AgentEnv []string
	// AgentWrap, when set, runs the agent under this command (setpriv with
	// a reduced capability set): argv is AgentWrap then the agent's.
	AgentWrap []string
}

// Lab is a pair of network namespaces joined by a veth pair: a DHCP server
// on ServerIface (198.18.0.1/24) and the agent managing ClientIface.
type Lab struct {
	ClientNS, ServerNS string
	Dir                string // per-test temporary directory
	Socket             string // agent IPC socket
	StateDir           string // agent --state-dir

	t         *testing.T
	name      string // prefix of the namespaces' names
	opts      LabOptions
	agentBin  string
	ctlBin    string
	leaseFile string
	serverLog string
	agentLog  string
	server    *proc
	agent     *proc
	agentPIDs map[int]bool // every run's pid, to tell its own IPC requests apart
	others    []*proc      // helpers (udhcpc), stopped in cleanup
	captures  int          // StartCapture calls, to name their files
	squatNS   string       // set by the first Squat
}

// newLab builds a lab and registers its teardown with t.Cleanup.
func newLab(t *testing.T, opts LabOptions) *Lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("integration tests need root for network namespaces; run as root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip (iproute2) not installed; run scripts/deps.sh")
	}
	if opts.Server == "" {
		t.Fatal("newLab: LabOptions.Server not set")
	}
	if _, err := exec.LookPath(opts.Server.binary()); err != nil {
		t.Skipf("%s not installed (%s not in PATH); run scripts/deps.sh", opts.Server, opts.Server.binary())
	}
	if opts.LeaseTime == 0 {
		opts.LeaseTime = 10 * time.Minute
	}
	checkOptions(t, opts)

	dir := t.TempDir() // registered first, so removed after everything below
	name := freeName(t)
	l := &Lab{
		agentPIDs: make(map[int]bool),
		ClientNS:  name + "-c",
		ServerNS:  name + "-s",
		Dir:       dir,
		Socket:    filepath.Join(dir, "agent.sock"),
		StateDir:  filepath.Join(dir, "state"),
		t:         t,
		name:      name,
		opts:      opts,
		leaseFile: filepath.Join(dir, "server.leases"),
		serverLog: filepath.Join(dir, "server.log"),
		agentLog:  filepath.Join(dir, "agent.log"),
	}
	t.Cleanup(l.cleanup)

	for _, c := range [][]string{{"netns", "add", l.ServerNS}, {"netns", "add", l.ClientNS}} {
		if out, err := exec.Command("ip", c...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(c, " "), err, out)
		}
	}
	// The ends are created inside their namespaces, so parallel labs never
	// see each other's eth-cli and eth-srv.
	for _, c := range append(l.linkCommands(), [][]string{
		{"-n", l.ServerNS, "link", "set", "lo", "up"},
		{"-n", l.ClientNS, "link", "set", "lo", "up"},
		{"-n", l.ServerNS, "addr", "add", serverPrefix, "dev", ServerIface},
		{"-n", l.ServerNS, "link", "set", ServerIface, "up"},
		{"-n", l.ClientNS, "link", "set", ClientIface, "up"},
	}...) {
		if out, err := exec.Command("ip", c...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(c, " "), err, out)
		}
	}
	l.waitBridge()
	l.StartServer()
	if !opts.NoAgent {
		l.StartAgent()
	}
	return l
}

// freeName picks a random namespace prefix that no namespace uses yet.
func freeName(t *testing.T) string {
	t.Helper()
	for range 10 {
		id := make([]byte, 3)
		rand.Read(id)
		name := "dha-" + hex.EncodeToString(id)
		taken := false
		for _, suffix := range []string{"-c", "-s", "-q"} {
			if _, err := os.Stat(filepath.Join("/run/netns", name+suffix)); err == nil {
				taken = true
			}
		}
		if !taken {
			return name
		}
	}
	t.Fatal("no free namespace name after 10 tries")
	return ""
}

// checkOptions fails the test on options a server cannot honour.
func checkOptions(t *testing.T, o LabOptions) {
	t.Helper()
	if o.Server == Dnsmasq && o.LeaseTime != InfiniteLease && o.LeaseTime < 2*time.Minute {
		t.Fatalf("lab: dnsmasq lease time %v is under its 2m minimum", o.LeaseTime)
	}
	if o.Server == Kea && o.RapidCommit {
		t.Fatal("lab: Kea 2.2 has no DHCPv4 rapid commit")
	}
	if o.Server != Kea && o.V6OnlyWait > 0 {
		t.Fatal("lab: option 108 (V6OnlyWait) is configured for Kea only")
	}
	first, last := o.pool()
	if !labSubnet.Contains(first) || !labSubnet.Contains(last) || last.Less(first) {
		t.Fatalf("lab: pool %v-%v is not a range inside %v", first, last, labSubnet)
	}
	for _, r := range o.Reservations {
		if !labSubnet.Contains(r.IP) || len(r.MAC) != 6 {
			t.Fatalf("lab: reservation %v for %v: want an address in %v and a MAC", r.IP, r.MAC, labSubnet)
		}
	}
	for _, r := range o.ClasslessRoutes {
		if !r.Dst.IsValid() || !r.Dst.Addr().Is4() || r.Dst != r.Dst.Masked() || !r.Gw.Is4() {
			t.Fatalf("lab: classless route %v via %v: want a masked IPv4 prefix and an IPv4 gateway", r.Dst, r.Gw)
		}
	}
}

// pool returns the dynamic pool with the defaults filled in.
func (o LabOptions) pool() (first, last netip.Addr) {
	first, last = o.PoolFirst, o.PoolLast
	if !first.IsValid() {
		first = netip.MustParseAddr(poolFirst)
	}
	if !last.IsValid() {
		last = netip.MustParseAddr(poolLast)
	}
	return first, last
}

// routers returns option 3's addresses with the default filled in.
func (o LabOptions) routers() []netip.Addr {
	if o.Routers == nil {
		return []netip.Addr{netip.MustParseAddr(router)}
	}
	return o.Routers
}

// InPool reports whether addr is inside the lab's current pool.
func (l *Lab) InPool(addr netip.Addr) bool {
	first, last := l.opts.pool()
	return !addr.Less(first) && !last.Less(addr)
}

// Options returns a copy of the lab's current options (RestartServer may
// have changed them).
func (l *Lab) Options() LabOptions { return l.opts }

// cleanup kills what the lab started and deletes its namespaces; on failure
// it dumps the logs first.
func (l *Lab) cleanup() {
	if l.t.Failed() {
		if s := l.AgentLog(); s != "" {
			l.t.Logf("agent log:\n%s", s)
		}
		if s := l.ServerLog(); s != "" {
			l.t.Logf("%s log:\n%s", l.opts.Server, s)
		}
	}
	for _, p := range append([]*proc{l.agent, l.server}, l.others...) {
		if p != nil {
			p.stop()
		}
	}
	for _, ns := range []string{l.ClientNS, l.ServerNS, l.squatNS} {
		if ns == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
			continue
		}
		if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
			l.t.Errorf("ip netns del %s: %v: %s", ns, err, out)
		}
	}
}

// ClientExec runs a command in the client namespace; output is combined.
func (l *Lab) ClientExec(args ...string) (string, error) { return l.nsExec(l.ClientNS, args) }

// ServerExec runs a command in the server namespace; output is combined.
func (l *Lab) ServerExec(args ...string) (string, error) { return l.nsExec(l.ServerNS, args) }

func (l *Lab) nsExec(ns string, args []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout) // not t.Context: usable in t.Cleanup too
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s in %s: %w: %s", strings.Join(args, " "), ns, err, out)
	}
	return string(out), nil
}

// ip runs `ip args...` in the host namespace (args name the namespace with
// -n) and fails the test on error.
func (l *Lab) ip(args ...string) {
	l.t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		l.t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}
