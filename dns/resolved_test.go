package dns

import (
	"context"
	"errors"
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
	dial := func(o ...dbus.ConnOption) (*dbus.Conn, error) { return dbus.Connect(addr, o...) }
	a := &Auto{Dial: dial, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	// Nobody owns the name yet on a second, empty bus: Auto picks nothing.
	empty := dnstest.PrivateBus(t)
	none := &Auto{Dial: func(o ...dbus.ConnOption) (*dbus.Conn, error) { return dbus.Connect(empty, o...) },
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

// TestResolvedHungBus: a bus that accepts and never answers, during the
// authentication or after it (at Hello), costs a call its Timeout, not the
// DNS worker for ever (the worker is every interface's): Set, Revert and
// Auto's look for resolved (HasOwner) give up with the deadline, through
// the default dial of the system bus as the agent's own.
func TestResolvedHungBus(t *testing.T) {
	const bound = 200 * time.Millisecond
	for _, auth := range []bool{false, true} {
		t.Run(map[bool]string{false: "silent", true: "after auth"}[auth], func(t *testing.T) {
			t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", dnstest.SilentBus(t, auth))
			r := &Resolved{Timeout: bound}
			for name, f := range map[string]func() error{
				"Set":    func() error { return r.Set(nil, Link{Index: 7, Servers: addrs("198.18.0.53")}) },
				"Revert": func() error { return r.Revert(nil, Link{Index: 7}) },
			} {
				if err := within(t, name, f); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%s = %v, want the deadline exceeded", name, err)
				}
			}
			a := &Auto{Timeout: bound, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
			within(t, "Auto.Chosen", func() error {
				if b := a.Chosen(); b != nil {
					t.Errorf("auto on a hung bus chose %T", b)
				}
				return nil
			})
		})
	}
}

// within runs f and fails the test when it has not returned in 5 s.
func within(t *testing.T, name string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s still blocked after 5 s on a bus that never answers", name)
		return nil
	}
}
