//go:build integration

package integration

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
)

// privateBus starts a dbus-daemon of the test's own and returns its
// address: the agent is pointed at it with DBUS_SYSTEM_BUS_ADDRESS, never at
// the host's system bus.
func privateBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed; run scripts/deps.sh")
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

// resolve1 is a stand-in org.freedesktop.resolve1 Manager that records the
// calls it gets.
type resolve1 struct {
	mu    sync.Mutex
	calls []string
}

func (s *resolve1) record(f string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fmt.Sprintf(f, args...))
}

func (s *resolve1) SetLinkDNS(ifindex int32, addrs []struct {
	Family  int32
	Address []byte
}) *dbus.Error {
	var a []string
	for _, x := range addrs {
		a = append(a, fmt.Sprintf("%d:%d.%d.%d.%d", x.Family, x.Address[0], x.Address[1], x.Address[2], x.Address[3]))
	}
	s.record("SetLinkDNS %d %s", ifindex, strings.Join(a, ","))
	return nil
}

func (s *resolve1) SetLinkDomains(ifindex int32, domains []struct {
	Domain      string
	RoutingOnly bool
}) *dbus.Error {
	var d []string
	for _, x := range domains {
		d = append(d, fmt.Sprintf("%s/%v", x.Domain, x.RoutingOnly))
	}
	s.record("SetLinkDomains %d %s", ifindex, strings.Join(d, ","))
	return nil
}

func (s *resolve1) RevertLink(ifindex int32) *dbus.Error {
	s.record("RevertLink %d", ifindex)
	return nil
}

func (s *resolve1) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// TestDNSResolved: DNS=auto with systemd-resolved on the (private) system
// bus gives each interface's DNS to resolved per link, and reverts the
// link when the interface lets go.
func TestDNSResolved(t *testing.T) {
	addr := privateBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &resolve1{}
	if err := conn.Export(s, "/org/freedesktop/resolve1", "org.freedesktop.resolve1.Manager"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.resolve1", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("request name: %v %v", reply, err)
	}

	lab := dnsLab(t, Kea, "DNS=auto\n", nil, []string{"DBUS_SYSTEM_BUS_ADDRESS=" + addr})
	nic := SubnetNIC(1)
	startNIC(t, lab, labNIC(), true)
	startNIC(t, lab, nic, false)
	i0, i1 := ifindex(t, lab, ClientIface), ifindex(t, lab, nic.Name)
	if _, err := lab.Ctl("drop", nic.Name); err != nil {
		t.Fatalf("drop: %v", err)
	}
	want := []string{
		fmt.Sprintf("SetLinkDNS %d 2:198.18.0.53", i0),
		fmt.Sprintf("SetLinkDomains %d zero.lab.example/false", i0),
		fmt.Sprintf("SetLinkDNS %d 2:198.18.1.53", i1),
		fmt.Sprintf("SetLinkDomains %d n1.lab.example/false", i1),
		fmt.Sprintf("RevertLink %d", i1),
	}
	waitUntil(t, 5*time.Second, "resolved told of both links and the drop", func() error {
		if got := s.snapshot(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("calls:\n%s", strings.Join(got, "\n"))
		}
		return nil
	})
	if err := lab.StopAgent(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := s.snapshot(); got[len(got)-1] != fmt.Sprintf("RevertLink %d", i0) {
		t.Fatalf("after SIGTERM the last call is %q, want the primary's RevertLink", got[len(got)-1])
	}
}
