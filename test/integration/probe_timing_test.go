//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestProbeTiming reads the RFC 5227 exchange off the server's link
// (SPEC §2 "Binding"): after the ACK, 3 probes 1-2 s apart, the first
// announcement ANNOUNCE_WAIT (2 s) after the last probe and the second
// ANNOUNCE_INTERVAL (2 s) after it. An operator's start probes at once;
// an interface the agent resumes at start-up waits a random 0..PROBE_WAIT
// (1 s) first. The agent is stopped (SIGTERM drops the address, keeps the
// lease) and started twice, so the resumed lease is probed, not adopted;
// two draws both under 30 ms would say the wait is not being made (odds
// about 1 in 1000 if it is).
func TestProbeTiming(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq, AgentConfig: "ARP_PROBE=yes"})
	c := lab.StartCapture()
	mark := time.Now()
	addr := startBound(t, lab, "20").addr()
	if d := checkProbeTiming(t, lab, c, addr, mark); d > slack {
		t.Errorf("explicit start: first probe %v after the ACK, want at once", d)
	}
	var delays []time.Duration
	for range 2 {
		mark := time.Now()
		if err := lab.StopAgent(); err != nil {
			t.Fatalf("stopping the agent: %v", err)
		}
		if lab.ClientHasAddr(addr) {
			t.Fatalf("%v still on %s after the agent stopped", addr, ClientIface)
		}
		lab.StartAgent()
		d := checkProbeTiming(t, lab, c, addr, mark)
		if d > time.Second+slack {
			t.Errorf("resumed at start-up: first probe %v after the ACK, want 0..1 s (PROBE_WAIT)", d)
		}
		delays = append(delays, d)
	}
	if delays[0] < 30*time.Millisecond && delays[1] < 30*time.Millisecond {
		t.Errorf("resumed twice, first probes %v after the ACKs: no PROBE_WAIT", delays)
	}
	t.Logf("PROBE_WAIT drawn at start-up: %v", delays)
}

// slack is what the capture's timing may differ from the agent's timers
// on a busy 2-core machine.
const slack = 250 * time.Millisecond

// checkProbeTiming waits for the ACK of addr after mark and the probes and
// announcements that follow, checks their spacing against RFC 5227, and
// returns the time from the ACK to the first probe.
func checkProbeTiming(t *testing.T, lab *Lab, c *Capture, addr netip.Addr, mark time.Time) time.Duration {
	t.Helper()
	mac := lab.ClientMAC().String()
	ack := c.WaitForPacket(t, 10*time.Second, "ACK of "+addr.String(), func(p Packet) bool {
		return p.DHCP == MsgAck && p.YourIP == addr && p.Time.After(mark)
	})
	after := func(p Packet) bool { return p.Time.After(ack.Time) && p.SrcMAC == mac }
	var probes, announces []Packet
	waitUntil(t, 15*time.Second, "3 probes and 2 announcements of "+addr.String(), func() error {
		probes = c.Filter(func(p Packet) bool { return after(p) && p.IsARPProbe(addr) })
		announces = c.Filter(func(p Packet) bool { return after(p) && p.IsARPAnnouncement(addr) })
		if len(probes) < 3 || len(announces) < 2 {
			return fmt.Errorf("%d probes, %d announcements so far", len(probes), len(announces))
		}
		return nil
	})
	if len(probes) != 3 {
		t.Errorf("%d ARP probes of %v after the ACK, want 3:\n%s", len(probes), addr, summaries(probes))
	}
	within := func(what string, d, lo, hi time.Duration) {
		t.Helper()
		if d < lo-slack || d > hi+slack {
			t.Errorf("%s %v, want %v..%v", what, d, lo, hi)
		}
	}
	for i := 1; i < len(probes); i++ {
		within(fmt.Sprintf("probe %d after the one before", i+1), probes[i].Time.Sub(probes[i-1].Time), time.Second, 2*time.Second)
	}
	last := probes[len(probes)-1]
	within("first announcement after the last probe (ANNOUNCE_WAIT)", announces[0].Time.Sub(last.Time), 2*time.Second, 2*time.Second)
	within("second announcement after the first (ANNOUNCE_INTERVAL)", announces[1].Time.Sub(announces[0].Time), 2*time.Second, 2*time.Second)
	return probes[0].Time.Sub(ack.Time)
}
