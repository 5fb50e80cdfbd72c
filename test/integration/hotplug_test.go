//go:build integration

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHotplugVethRecreated: the managed interface's veth pair is deleted
// and created again (a driver reload, a hot-plugged NIC). While it is gone
// the interface keeps its record and status says so; when it is back the
// agent resumes it with INIT-REBOOT and it is BOUND with the same address,
// with no command (SPEC §2).
func TestHotplugVethRecreated(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		st := startNIC(t, lab, labNIC(), true)
		mac := lab.ClientMAC() // a reloaded driver brings the NIC's own MAC back

		lab.ip("-n", lab.ClientNS, "link", "del", ClientIface)
		waitUntil(t, 5*time.Second, "status to report the link gone", func() error {
			_, err := lab.Ctl("status", ClientIface)
			if err == nil || !strings.Contains(err.Error(), "UNKIF") || !strings.Contains(err.Error(), "link is gone") {
				return fmt.Errorf("status: %v", err)
			}
			return nil
		})
		if _, err := lab.Ctl("status", ClientIface, "-o", "json"); err == nil {
			t.Fatal("status of a gone link succeeded")
		}

		// The same pair again; the server is restarted so that it serves
		// the new link (Kea keeps its socket on the old one).
		lab.StopServer()
		lab.ip("link", "add", ClientIface, "address", mac.String(), "netns", lab.ClientNS, "type", "veth", "peer", "name", ServerIface, "netns", lab.ServerNS)
		lab.ip("-n", lab.ServerNS, "addr", "add", serverPrefix, "dev", ServerIface)
		lab.ip("-n", lab.ServerNS, "link", "set", ServerIface, "up")
		lab.ip("-n", lab.ClientNS, "link", "set", ClientIface, "up")
		lab.StartServer()

		waitUntil(t, 20*time.Second, "the interface BOUND again with its address", func() error {
			var now fullStatus
			if err := lab.CtlJSON(&now, "status", ClientIface); err != nil {
				return err
			}
			if now.State != "BOUND" || now.addr() != st.addr() || !lab.ClientHasAddr(st.addr()) {
				return fmt.Errorf("status %+v, address on the link %v; want BOUND with %v", now, lab.ClientHasAddr(st.addr()), st.addr())
			}
			return nil
		})
		wantDefault(t, lab, labNIC(), 100) // still the primary
		if n := strings.Count(lab.AgentLog(), `"command","command":"start"`); n != 1 {
			t.Errorf("%d start commands in the log, want only the test's first", n)
		}
	})
}
