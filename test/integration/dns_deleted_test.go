//go:build integration

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDNSOfDeletedLink: two NICs bound with DNS of their own (DNS=file on
// a file the test owns); eth-cli1's veth is deleted: the file no longer
// names its server and search domain and still names the other NIC's
// (the deleted link's DNS is given back, not held for ever). The veth
// made again resumes it from its lease record (INIT-REBOOT, no command),
// and its DNS is back (SPEC §2 hotplug).
func TestDNSOfDeletedLink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(path, []byte("nameserver 192.0.2.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lab := dnsLab(t, Dnsmasq, "DNS=file\nRESOLV_CONF="+path+"\n", nil, nil)
	nic := SubnetNIC(1)
	st := startNIC(t, lab, nic, false)
	startNIC(t, lab, labNIC(), true)
	both := []string{"nameserver 198.18.0.53", "nameserver 198.18.1.53", "search zero.lab.example n1.lab.example"}
	waitLines(t, path, both...)
	var links []ipLink
	lab.ipJSON(&links, "link", "show", "dev", nic.Name)
	if len(links) != 1 {
		t.Fatalf("ip link show %s: %d links", nic.Name, len(links))
	}
	mac := links[0].Address // the NIC made again has its own MAC back

	lab.ip("-n", lab.ClientNS, "link", "del", nic.Name)
	waitLines(t, path, "nameserver 198.18.0.53", "search zero.lab.example")
	waitUntil(t, 5*time.Second, "status to report the link gone", func() error {
		if _, err := lab.Ctl("status", nic.Name); err == nil || !strings.Contains(err.Error(), "link is gone") {
			return fmt.Errorf("status: %v", err)
		}
		return nil
	})

	since := lab.LogSize()
	lab.StopServer() // serving the new link, as after a reload
	lab.ip("link", "add", nic.Name, "address", mac, "netns", lab.ClientNS, "type", "veth", "peer", "name", nic.Peer, "netns", lab.ServerNS)
	lab.ip("-n", lab.ServerNS, "addr", "add", fmt.Sprintf("%s/24", nic.Router), "dev", nic.Peer)
	lab.ip("-n", lab.ServerNS, "link", "set", nic.Peer, "up")
	lab.ip("-n", lab.ClientNS, "link", "set", nic.Name, "up")
	lab.StartServer()
	waitUntil(t, 20*time.Second, nic.Name+" BOUND again on its address", func() error {
		var now fullStatus
		if err := lab.CtlJSON(&now, "status", nic.Name); err != nil {
			return err
		}
		if now.State != "BOUND" || now.addr() != st.addr() {
			return fmt.Errorf("status %+v, want BOUND on %v", now, st.addr())
		}
		return nil
	})
	if log := lab.AgentLog()[since:]; !strings.Contains(log, `"msg":"stored lease found","iface":"`+nic.Name+`"`) {
		t.Errorf("%s did not resume from its lease record:\n%s", nic.Name, log)
	}
	waitLines(t, path, both...)
}
