//go:build integration

package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/dns/dnstest"
)

// TestDNSResolved: with systemd-resolved on the (private) system bus, DNS=auto
// and DNS=resolved give each interface's DNS to resolved per link, and
// revert the link when the interface lets go; resolvconf, installed too
// (a stand-in on PATH), is never called: auto prefers resolved.
func TestDNSResolved(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"auto", "resolved"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			addr := dnstest.PrivateBus(t)
			s := dnstest.ServeResolve1(t, addr)
			dir, calls := standinResolvconf(t)
			lab := dnsLab(t, Kea, "DNS="+mode+"\n", nil,
				[]string{"DBUS_SYSTEM_BUS_ADDRESS=" + addr, "PATH=" + dir + ":" + os.Getenv("PATH")})
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
			if _, err := os.Stat(calls); !os.IsNotExist(err) {
				t.Fatalf("resolvconf was called (%v):\n%s", err, readFile(calls))
			}
		})
	}
}
