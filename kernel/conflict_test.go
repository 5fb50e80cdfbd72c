package kernel

import (
	"net/netip"
	"testing"
)

// TestManaged: Manage, Managed and Unmanage by name, for every index of a
// name.
func TestManaged(t *testing.T) {
	var tab AddrTable
	if tab.Managed(2) {
		t.Fatal("empty table manages 2")
	}
	tab.Manage(2, "eth0")
	tab.Manage(7, "eth0") // the link came back with another index
	tab.Manage(3, "eth1")
	tab.Unmanage("eth0")
	if tab.Managed(2) || tab.Managed(7) || !tab.Managed(3) {
		t.Fatalf("after Unmanage(eth0): Managed(2)=%v Managed(7)=%v Managed(3)=%v",
			tab.Managed(2), tab.Managed(7), tab.Managed(3))
	}
}

// TestConflicts is the conflict check of SPEC §2 for ifindex 2, on a host
// whose eth1 (3) is managed and whose eth9 (9) is not.
func TestConflicts(t *testing.T) {
	var tab AddrTable
	tab.Reset([]IfAddr{
		{Ifindex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")},
		{Ifindex: 2, Prefix: netip.MustParsePrefix("198.18.0.100/24")},
		{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.1.100/24")},
		{Ifindex: 9, Prefix: netip.MustParsePrefix("198.18.9.1/24")},
	})
	tab.Manage(2, "eth0")
	tab.Manage(3, "eth1")
	tab.Expect(IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.1.101/24")}) // queued for eth1
	for _, c := range []struct {
		addr string
		want bool
		why  string
	}{
		{"198.18.0.100", false, "the interface's own address"},
		{"198.18.0.7", false, "in the interface's own network"},
		{"127.0.0.1", false, "loopback is never in the way"},
		{"198.18.1.100", true, "another interface has it"},
		{"198.18.1.101", true, "queued for another interface"},
		{"198.18.1.7", false, "in a managed interface's network"},
		{"198.18.9.1", true, "an unmanaged interface has it"},
		{"198.18.9.7", true, "in an unmanaged interface's network"},
		{"198.18.20.7", false, "in nobody's network"},
	} {
		if got := tab.Conflicts(2, netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("Conflicts(2, %s) = %v, want %v: %s", c.addr, got, c.want, c.why)
		}
	}
	// Once eth1 is no longer managed, its network is a stranger's.
	tab.Unmanage("eth1")
	if !tab.Conflicts(2, netip.MustParseAddr("198.18.1.7")) {
		t.Error("an address in an interface's network no longer managed does not conflict")
	}
}

// TestHas: the host's own addresses, on any interface (loopback and those
// queued included), and nothing else in their networks.
func TestHas(t *testing.T) {
	var tab AddrTable
	tab.Reset([]IfAddr{
		{Ifindex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")},
		{Ifindex: 2, Prefix: netip.MustParsePrefix("198.18.0.100/24")},
	})
	tab.Expect(IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.1.100/24")})
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"198.18.0.100", true},
		{"198.18.1.100", true},
		{"198.18.0.1", false},
		{"198.18.1.1", false},
	} {
		if got := tab.Has(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("Has(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
}
