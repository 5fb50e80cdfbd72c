//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestSurviveCarrier: the server's end of the veth goes down, so the
// client's loses its carrier. The agent keeps the lease and the address
// and sends nothing; when the carrier is back it verifies the lease with an
// INIT-REBOOT REQUEST and is BOUND on the same address, which never left
// the interface. Then the link is deleted: the interface's actor stops
// ("interface deleted", the interface is no longer managed) and its lease
// record stays.
func TestSurviveCarrier(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		// -d 1 logs every packet sent: the proof that none is sent
		// while the carrier is away.
		lab := newLab(t, LabOptions{Server: kind, AgentArgs: []string{"-d", "1"}})
		c := lab.StartCapture()
		mac := lab.ClientMAC().String()
		st := startBound(t, lab, svBindWait)
		addr := st.addr()
		w := lab.svWatchAddr(ClientIface, addr)

		lab.ip("-n", lab.ServerNS, "link", "set", ServerIface, "down")
		lost := lab.svWaitLog(3*time.Second, "carrier lost", ClientIface)
		holdFor(t, 2*time.Second, "the lease without carrier", func() error {
			s, err := lab.svStatus(ClientIface)
			if err != nil || s.addr() != addr {
				return fmt.Errorf("status %+v, %v; want the lease of %v kept", s, err, addr)
			}
			return nil
		})
		s, _ := lab.svStatus(ClientIface)
		t.Logf("without carrier: %s %s", s.State, s.Address)

		mark := time.Now()
		lab.ip("-n", lab.ServerNS, "link", "set", ServerIface, "up")
		back := lab.svWaitLog(3*time.Second, "carrier back", ClientIface)
		reboot := c.WaitForPacket(t, 5*time.Second, "INIT-REBOOT REQUEST after the carrier came back", func(p Packet) bool {
			return p.Time.After(mark) && svIsReboot(p, mac, addr)
		})
		c.WaitForPacket(t, 10*time.Second, "its ACK", func(p Packet) bool {
			return p.DHCP == MsgAck && p.XID == reboot.XID && p.YourIP == addr
		})
		lab.svWaitState(3*time.Second, ClientIface, "BOUND", addr)
		holdFor(t, time.Second, "BOUND after the carrier came back", func() error {
			s, err := lab.svStatus(ClientIface)
			if err != nil || s.State != "BOUND" || s.addr() != addr {
				return fmt.Errorf("status %+v, %v", s, err)
			}
			return nil
		})
		w.check(t)
		checkKernelLease(t, lab, netip.PrefixFrom(addr, 24), 10*time.Minute)
		checkDefaultRoute(t, lab)

		var sent, quiet []string
		for _, rec := range lab.svLog() {
			if rec.Iface != ClientIface || (rec.Msg != "sent" && rec.Msg != "send failed") {
				continue
			}
			sent = append(sent, rec.Text)
			if rec.TS.After(lost.TS) && rec.TS.Before(back.TS) {
				quiet = append(quiet, rec.Text)
			}
		}
		if len(sent) == 0 {
			t.Errorf("no \"sent\" line in the agent's log at -d 1: the check below proves nothing")
		}
		if len(quiet) > 0 {
			t.Errorf("sent while the carrier was away:\n%s", strings.Join(quiet, "\n"))
		}

		// Deleting one end of the veth deletes both.
		rec, _ := lab.svReadLease(ClientIface)
		lab.ip("-n", lab.ServerNS, "link", "del", ServerIface)
		lab.svWaitLog(3*time.Second, "interface deleted", ClientIface)
		waitUntil(t, 3*time.Second, ClientIface+" to be unmanaged", func() error {
			rep, err := lab.svRequest("status", ClientIface, time.Second)
			if err != nil || rep.Error != "UNKIF" {
				return fmt.Errorf("status: %+v, %v; want UNKIF", rep, err)
			}
			return nil
		})
		if got, ok := lab.svReadLease(ClientIface); !ok || got != rec {
			t.Errorf("lease record after the link was deleted: %+v (found %v), want %+v", got, ok, rec)
		}
	})
}
