// Package dnstest gives the tests of package dns and the integration suite
// one stand-in for systemd-resolved: a private D-Bus bus of the test's own
// (PrivateBus) and an org.freedesktop.resolve1 Manager exported on it that
// records the calls it gets (ServeResolve1); and a hung bus, which accepts
// and never answers (SilentBus). A test points the agent at
// the bus (DBUS_SYSTEM_BUS_ADDRESS, or a dial function), never at the
// host's system bus.
//
// It does not import package dns (whose own tests use it); those tests
// check that Name and Path here are dns.ResolvedName and dns.ResolvedPath.
package dnstest

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// systemd-resolved's D-Bus name, object and interface
// (org.freedesktop.resolve1(5)).
const (
	Name      = "org.freedesktop.resolve1"
	Path      = dbus.ObjectPath("/org/freedesktop/resolve1")
	Interface = "org.freedesktop.resolve1.Manager"
)

// PrivateBus starts a dbus-daemon of the test's own, listening in the
// test's temporary directory, and returns its address; the daemon is
// killed at cleanup. The test is skipped where dbus-daemon is not
// installed (scripts/deps.sh installs it).
func PrivateBus(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed (scripts/deps.sh, or apt-get install dbus-daemon)")
	}
	addr := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address", "--address="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	select {
	case a := <-ready:
		if a == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start in 10 s")
		return ""
	}
}

// LinkAddr is SetLinkDNS's a(iay): address family and bytes.
type LinkAddr struct {
	Family  int32
	Address []byte
}

// LinkDomain is SetLinkDomains's a(sb): a domain and whether it is for
// routing only.
type LinkDomain struct {
	Domain      string
	RoutingOnly bool
}

// Resolve1 is a stand-in org.freedesktop.resolve1 Manager. It records
// each call as one line: "SetLinkDNS 7 2:198.18.0.53,2:198.18.0.54",
// "SetLinkDomains 7 lab.example/false", "RevertLink 7".
type Resolve1 struct {
	mu    sync.Mutex
	calls []string
}

func (s *Resolve1) record(f string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprintf(f, args...))
}

// SetLinkDNS records the link's servers as family:address; bytes that are
// not an address are recorded as such, so a test sees them.
func (s *Resolve1) SetLinkDNS(ifindex int32, addrs []LinkAddr) *dbus.Error {
	a := make([]string, 0, len(addrs))
	for _, x := range addrs {
		if ip, ok := netip.AddrFromSlice(x.Address); ok {
			a = append(a, fmt.Sprintf("%d:%v", x.Family, ip))
		} else {
			a = append(a, fmt.Sprintf("%d:bad%v", x.Family, x.Address))
		}
	}
	s.record("SetLinkDNS %d %s", ifindex, strings.Join(a, ","))
	return nil
}

// SetLinkDomains records the link's domains as domain/routing-only.
func (s *Resolve1) SetLinkDomains(ifindex int32, domains []LinkDomain) *dbus.Error {
	d := make([]string, 0, len(domains))
	for _, x := range domains {
		d = append(d, fmt.Sprintf("%s/%v", x.Domain, x.RoutingOnly))
	}
	s.record("SetLinkDomains %d %s", ifindex, strings.Join(d, ","))
	return nil
}

// RevertLink records the revert.
func (s *Resolve1) RevertLink(ifindex int32) *dbus.Error {
	s.record("RevertLink %d", ifindex)
	return nil
}

// Calls returns a copy of the calls recorded so far, in order.
func (s *Resolve1) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// ServeResolve1 exports a stand-in Manager on the bus at addr and takes
// the resolve1 name there; the connection is closed at cleanup.
func ServeResolve1(t testing.TB, addr string) *Resolve1 {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &Resolve1{}
	if err := conn.Export(s, Path, Interface); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(Name, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("request name %s: %v %v", Name, reply, err)
	}
	return s
}
