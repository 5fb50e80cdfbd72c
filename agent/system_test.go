package agent

import (
	"errors"
	"testing"

	"github.com/dhcpagent/dhcpagent/kernel"
)

// TestNetLinks: a link is looked up with its index and MTU; a missing one
// is kernel.ErrNoLink, which the manager answers INVALID. Read-only: it
// asks about the loopback of the test's own namespace.
func TestNetLinks(t *testing.T) {
	n, err := kernel.NewNetlink()
	if err != nil {
		t.Skipf("no netlink here: %v", err)
	}
	defer n.Close()
	l, err := netLinks{n}.ByName("lo")
	if err != nil || l.Name != "lo" || l.Index <= 0 || l.MTU <= 0 {
		t.Fatalf("ByName(lo) = %+v, %v", l, err)
	}
	if _, err := (netLinks{n}).ByName("dha-nosuch0"); !errors.Is(err, kernel.ErrNoLink) {
		t.Fatalf("ByName of a missing link: %v, want ErrNoLink", err)
	}
}
