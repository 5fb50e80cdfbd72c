//go:build integration

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/dns/dnstest"
)

// TestDNSResolved: DNS=auto with systemd-resolved on the (private) system
// bus gives each interface's DNS to resolved per link, and reverts the
// link when the interface lets go.
func TestDNSResolved(t *testing.T) {
	addr := dnstest.PrivateBus(t)
	s := dnstest.ServeResolve1(t, addr)

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
		if got := s.Calls(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("calls:\n%s", strings.Join(got, "\n"))
		}
		return nil
	})
	if err := lab.StopAgent(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if got := s.Calls(); len(got) == 0 || got[len(got)-1] != fmt.Sprintf("RevertLink %d", i0) {
		t.Fatalf("after SIGTERM the calls are %q, want the primary's RevertLink last", got)
	}
}
