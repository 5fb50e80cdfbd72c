package dns

import (
	"os/exec"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/dhcpagent/dhcpagent/dns/dnstest"
)

// The stand-in answers at the name, object and interface the backend calls.
func TestStandinIsResolved(t *testing.T) {
	if dnstest.Name != ResolvedName || dnstest.Path != ResolvedPath || dnstest.Interface != resolvedMgr {
		t.Fatalf("dnstest serves %s %s %s; the backend calls %s %s %s",
			dnstest.Name, dnstest.Path, dnstest.Interface, ResolvedName, ResolvedPath, resolvedMgr)
	}
}

func TestResolvedOverPrivateBus(t *testing.T) {
	addr := dnstest.PrivateBus(t)
	dial := func() (*dbus.Conn, error) { return dbus.Connect(addr) }
	a := &Auto{Dial: dial, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	// Nobody owns the name yet on a second, empty bus: Auto picks nothing.
	empty := dnstest.PrivateBus(t)
	none := &Auto{Dial: func() (*dbus.Conn, error) { return dbus.Connect(empty) },
		LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	if b := none.Chosen(); b != nil {
		t.Fatalf("auto without resolved or resolvconf chose %T", b)
	}

	s := dnstest.ServeResolve1(t, addr)
	if _, ok := a.Chosen().(*Resolved); !ok {
		t.Fatalf("auto chose %T with resolved on the bus", a.Chosen())
	}
	m := NewManager(a, func(name string, err error) { t.Errorf("%s: %v", name, err) })
	defer m.Close(time.Second)
	m.Set(Link{Name: "eth0", Index: 7, Servers: addrs("198.18.0.53"), Domains: []string{"lab.example"}})
	m.Wait()
	m.Clear("eth0")
	m.Wait()
	want := []string{"SetLinkDNS 7 2:198.18.0.53", "SetLinkDomains 7 lab.example/false", "RevertLink 7"}
	if diff := cmp.Diff(want, s.Calls()); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}
}
