//go:build integration

package integration

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ServerKind names the DHCP server a Lab runs.
type ServerKind string

// The servers a Lab can run.
const (
	Dnsmasq ServerKind = "dnsmasq"
	Kea     ServerKind = "kea"
	// Rogue is the scripted raw-socket server of rogue_lab_test.go
	// (LabOptions.Rogue): this test binary, so nothing to install.
	Rogue ServerKind = "rogue"
)

// serverKinds lists every ServerKind, for tests that run against each.
var serverKinds = []ServerKind{Dnsmasq, Kea}

func (k ServerKind) binary() string {
	switch k {
	case Kea:
		return "kea-dhcp4"
	case Rogue:
		self, _ := os.Executable()
		return self
	}
	return "dnsmasq"
}

// ClasslessRoute is one route of option 121 (RFC 3442).
type ClasslessRoute struct {
	Dst netip.Prefix
	Gw  netip.Addr
}

// Reservation pins IP to the client with hardware address MAC (dnsmasq
// --dhcp-host, a Kea host reservation).
type Reservation struct {
	MAC net.HardwareAddr
	IP  netip.Addr
}

// StartServer starts the DHCP server and waits until it serves.
func (l *Lab) StartServer() {
	l.t.Helper()
	if l.server != nil && !l.server.exited() {
		l.t.Fatal("StartServer: server already running")
	}
	var args, env []string
	var ready string
	switch l.opts.Server {
	case Dnsmasq:
		args, ready = l.dnsmasqArgs(), "DHCP, IP range"
	case Kea:
		args, env, ready = l.keaArgs(), l.keaEnv(), "DHCP4_STARTED"
	case Rogue:
		args, env = l.rogueArgs()
		ready = rogueReady
	}
	l.runServer(args, env, ready, "ready")
}

// runServer starts the server with args and env and waits until its log
// shows ready; what names the wait in a failure.
func (l *Lab) runServer(args, env []string, ready, what string) {
	l.t.Helper()
	logged := len(l.ServerLog()) // the log is appended to across restarts
	l.server = l.start(string(l.opts.Server), l.ServerNS, l.serverLog, env, args)
	waitUntil(l.t, 10*time.Second, string(l.opts.Server)+" "+what, func() error {
		log := l.ServerLog()
		if l.server.exited() {
			return fmt.Errorf("%s exited: %v\n%s", l.opts.Server, l.server.err, log)
		}
		if len(log) < logged || !strings.Contains(log[logged:], ready) {
			return fmt.Errorf("no %q in its log yet", ready)
		}
		return nil
	})
}

// StopServer stops the DHCP server (SIGTERM); its lease file stays.
func (l *Lab) StopServer() {
	l.t.Helper()
	if err := l.server.stop(); err != nil && !isSignaled(err) {
		l.t.Logf("server exit: %v", err)
	}
}

// RestartServer stops the server, lets mutate change the lab's options
// (pool, routers, reservations...; not the server kind) and starts it again
// on the same lease file.
func (l *Lab) RestartServer(mutate func(*LabOptions)) {
	l.t.Helper()
	l.StopServer()
	kind := l.opts.Server
	if mutate != nil {
		mutate(&l.opts)
	}
	if l.opts.Server != kind {
		l.t.Fatalf("RestartServer: the server kind cannot change (%s to %s)", kind, l.opts.Server)
	}
	checkOptions(l.t, l.opts)
	l.StartServer()
}

// ServerLog returns the DHCP server's log, over all its runs.
func (l *Lab) ServerLog() string { return readFile(l.serverLog) }

func (l *Lab) dnsmasqArgs() []string {
	o := l.opts
	lease := "infinite"
	if o.LeaseTime != InfiniteLease {
		lease = strconv.Itoa(int(o.LeaseTime.Seconds()))
	}
	first, last := o.pool()
	args := []string{
		"dnsmasq", "--no-ping", "--port=0", "--conf-file=/dev/null", "--user=root",
		"--keep-in-foreground", "--log-dhcp", "--log-facility=" + l.serverLog,
		"--dhcp-authoritative", "--interface=" + ServerIface, "--bind-dynamic",
		"--dhcp-range=" + first.String() + "," + last.String() + ",255.255.255.0," + lease,
		"--dhcp-leasefile=" + l.leaseFile,
		"--pid-file=" + filepath.Join(l.Dir, "dnsmasq.pid"),
	}
	// Without a router option dnsmasq sends its own address; an empty
	// option 3 turns that off.
	args = append(args, "--dhcp-option=3"+prefixed(",", joinAddrs(o.routers())))
	if o.RenewTime > 0 {
		args = append(args, fmt.Sprintf("--dhcp-option=58,%d", int(o.RenewTime.Seconds())))
	}
	if o.RebindTime > 0 {
		args = append(args, fmt.Sprintf("--dhcp-option=59,%d", int(o.RebindTime.Seconds())))
	}
	if len(o.DNS) > 0 {
		args = append(args, "--dhcp-option=option:dns-server,"+joinAddrs(o.DNS))
	}
	if o.Domain != "" {
		args = append(args, "--dhcp-option=option:domain-name,"+o.Domain)
	}
	if len(o.ClasslessRoutes) > 0 {
		var s []string
		for _, r := range o.ClasslessRoutes {
			s = append(s, r.Dst.String(), r.Gw.String())
		}
		args = append(args, "--dhcp-option=121,"+strings.Join(s, ","))
	}
	if o.MTU > 0 {
		args = append(args, fmt.Sprintf("--dhcp-option=26,%d", o.MTU))
	}
	if o.HostName != "" {
		args = append(args, "--dhcp-option-force=12,"+o.HostName)
	}
	for _, r := range o.Reservations {
		args = append(args, "--dhcp-host="+r.MAC.String()+","+r.IP.String())
	}
	if o.RapidCommit {
		args = append(args, "--dhcp-rapid-commit")
	}
	return append(args, l.dnsmasqSubnetArgs(lease)...)
}

func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// keaArgs writes kea-dhcp4.json and returns the command line. The subnet is
// authoritative, like dnsmasq's --dhcp-authoritative.
func (l *Lab) keaArgs() []string {
	o := l.opts
	valid := uint32(math.MaxUint32) // Kea's infinite lifetime
	if o.LeaseTime != InfiniteLease {
		valid = uint32(o.LeaseTime.Seconds())
	}
	options := []map[string]any{} // Kea refuses "option-data": null
	if rs := o.routers(); len(rs) > 0 {
		options = append(options, map[string]any{"name": "routers", "data": joinAddrs(rs)})
	}
	if len(o.DNS) > 0 {
		options = append(options, map[string]any{"name": "domain-name-servers", "data": joinAddrs(o.DNS)})
	}
	if o.Domain != "" {
		options = append(options, map[string]any{"name": "domain-name", "data": o.Domain})
	}
	if len(o.ClasslessRoutes) > 0 {
		// Kea 2.2 has no definition of option 121 ("definition for the
		// option 'dhcp4.classless-static-route' does not exist"), but it
		// sends any code as raw bytes given in hex with csv-format false.
		options = append(options, map[string]any{
			"code": 121, "csv-format": false, "data": hex.EncodeToString(rfc3442(o.ClasslessRoutes)),
		})
	}
	if o.MTU > 0 {
		options = append(options, map[string]any{"name": "interface-mtu", "data": strconv.Itoa(o.MTU)})
	}
	if o.V6OnlyWait > 0 {
		// Kea's own definition of 108; sent only to a client whose
		// parameter request list names it (RFC 8925 §3.3).
		options = append(options, map[string]any{"name": "v6-only-preferred", "data": strconv.Itoa(int(o.V6OnlyWait.Seconds()))})
	}
	if o.HostName != "" {
		options = append(options, map[string]any{"name": "host-name", "data": o.HostName, "always-send": true})
	}
	var reservations []map[string]any
	for _, r := range o.Reservations {
		reservations = append(reservations, map[string]any{"hw-address": r.MAC.String(), "ip-address": r.IP.String()})
	}
	first, last := o.pool()
	subnet := map[string]any{
		"id": 1, "subnet": labSubnet.String(),
		"pools":       []map[string]any{{"pool": first.String() + " - " + last.String()}},
		"option-data": options,
	}
	if len(reservations) > 0 {
		subnet["reservations"] = reservations
	}
	more, moreIfaces := l.keaSubnets()
	dhcp4 := map[string]any{
		"interfaces-config": map[string]any{"interfaces": append([]string{ServerIface}, moreIfaces...), "dhcp-socket-type": "raw"},
		"lease-database": map[string]any{
			"type": "memfile", "persist": true, "lfc-interval": 0, "name": l.leaseFile,
		},
		"valid-lifetime": valid,
		"authoritative":  true,
		"subnet4":        append([]map[string]any{subnet}, more...),
		"loggers": []map[string]any{{
			"name": "kea-dhcp4", "severity": "INFO",
			"output_options": []map[string]any{{"output": l.serverLog, "flush": true}},
		}},
	}
	if o.RenewTime > 0 {
		dhcp4["renew-timer"] = int(o.RenewTime.Seconds())
	}
	if o.RebindTime > 0 {
		dhcp4["rebind-timer"] = int(o.RebindTime.Seconds())
	}
	b, err := json.MarshalIndent(map[string]any{"Dhcp4": dhcp4}, "", "  ")
	if err != nil {
		l.t.Fatalf("kea config: %v", err)
	}
	conf := filepath.Join(l.Dir, "kea-dhcp4.json")
	if err := os.WriteFile(conf, b, 0o644); err != nil {
		l.t.Fatalf("kea config: %v", err)
	}
	return []string{"kea-dhcp4", "-c", conf}
}

// keaEnv keeps Kea's pid and lock files out of /run/kea, so that labs run
// side by side.
func (l *Lab) keaEnv() []string {
	run := filepath.Join(l.Dir, "kea-run")
	if err := os.MkdirAll(run, 0o755); err != nil {
		l.t.Fatalf("kea run dir: %v", err)
	}
	return []string{"KEA_PIDFILE_DIR=" + run, "KEA_LOCKFILE_DIR=" + run}
}

// rfc3442 encodes routes as option 121's payload: per route the prefix
// length, the significant octets of the destination, then the router.
func rfc3442(routes []ClasslessRoute) []byte {
	var b []byte
	for _, r := range routes {
		bits := r.Dst.Bits()
		dst := r.Dst.Addr().As4()
		gw := r.Gw.As4()
		b = append(b, byte(bits))
		b = append(b, dst[:(bits+7)/8]...)
		b = append(b, gw[:]...)
	}
	return b
}

// The pool movePool moves a server to, and the address it reserves there.
var (
	movedPoolFirst = netip.MustParseAddr("198.18.0.200")
	movedPoolLast  = netip.MustParseAddr("198.18.0.210")
	movedReserved  = netip.MustParseAddr("198.18.0.205")
)

// movePool changes o so that, after RestartServer, the server NAKs a
// renewal of any address of the default pool by the client with hardware
// address mac, and gives that client an address of 198.18.0.200-210.
// dnsmasq NAKs a renewal outside its range ("address not available"). Kea
// 2.2 silently ignores one (DHCP4_UNKNOWN_ADDRESS_REQUESTED, even when
// authoritative), but NAKs a client that holds a reservation for another
// address (ALLOC_ENGINE_V4_REQUEST_INVALID), so for Kea the client also
// gets a reservation of 198.18.0.205.
func movePool(o *LabOptions, mac net.HardwareAddr) {
	o.PoolFirst, o.PoolLast = movedPoolFirst, movedPoolLast
	if o.Server == Kea {
		o.Reservations = append(o.Reservations, Reservation{MAC: mac, IP: movedReserved})
	}
}

// eachServer runs f as a parallel subtest against every server kind.
func eachServer(t *testing.T, f func(t *testing.T, kind ServerKind)) {
	t.Helper()
	t.Parallel()
	for _, kind := range serverKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			f(t, kind)
		})
	}
}
