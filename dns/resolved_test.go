package dns

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"
)

// privateBus starts a dbus-daemon of the test's own and returns its
// address; it is killed at cleanup. Never the host's bus.
func privateBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed (apt-get install dbus-daemon)")
	}
	addr := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address", "--address="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
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

// standin is an org.freedesktop.resolve1 Manager that records its calls.
type standin struct {
	mu    sync.Mutex
	calls []string
}

func (s *standin) record(f string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprintf(f, args...))
}

func (s *standin) SetLinkDNS(ifindex int32, addrs []resolvedAddr) *dbus.Error {
	var a []string
	for _, x := range addrs {
		a = append(a, fmt.Sprintf("%d:%v", x.Family, x.Address))
	}
	s.record("SetLinkDNS %d %s", ifindex, strings.Join(a, ","))
	return nil
}

func (s *standin) SetLinkDomains(ifindex int32, domains []resolvedDomain) *dbus.Error {
	var d []string
	for _, x := range domains {
		d = append(d, fmt.Sprintf("%s/%v", x.Domain, x.RoutingOnly))
	}
	s.record("SetLinkDomains %d %s", ifindex, strings.Join(d, ","))
	return nil
}

func (s *standin) RevertLink(ifindex int32) *dbus.Error {
	s.record("RevertLink %d", ifindex)
	return nil
}

// ServeStandin exports a stand-in resolved on the bus at addr.
func serveStandin(t *testing.T, addr string) *standin {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &standin{}
	if err := conn.Export(s, ResolvedPath, resolvedMgr); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(ResolvedName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("request name: %v %v", reply, err)
	}
	return s
}

func TestResolvedOverPrivateBus(t *testing.T) {
	addr := privateBus(t)
	dial := func() (*dbus.Conn, error) { return dbus.Connect(addr) }
	a := &Auto{Dial: dial, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	// Nobody owns the name yet on a second, empty bus: Auto picks nothing.
	empty := privateBus(t)
	none := &Auto{Dial: func() (*dbus.Conn, error) { return dbus.Connect(empty) },
		LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	if b := none.Chosen(); b != nil {
		t.Fatalf("auto without resolved or resolvconf chose %T", b)
	}

	s := serveStandin(t, addr)
	if _, ok := a.Chosen().(*Resolved); !ok {
		t.Fatalf("auto chose %T with resolved on the bus", a.Chosen())
	}
	m := NewManager(a, func(name string, err error) { t.Errorf("%s: %v", name, err) })
	defer m.Close(time.Second)
	m.Set(Link{Name: "eth0", Index: 7, Servers: addrs("198.18.0.53"), Domains: []string{"lab.example"}})
	m.Wait()
	m.Clear("eth0")
	m.Wait()
	want := []string{"SetLinkDNS 7 2:[198 18 0 53]", "SetLinkDomains 7 lab.example/false", "RevertLink 7"}
	s.mu.Lock()
	defer s.mu.Unlock()
	if diff := cmp.Diff(want, s.calls); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}
}
