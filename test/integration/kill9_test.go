//go:build integration

package integration

// Issue 12's proof that no instant is a bad one to die: kill -9 at 100
// random instants across acquisition, bound and renewal, four NICs (two
// on one subnet, two on subnets of their own), short Kea leases. The
// instants come from a seed printed for replay (DHCPAGENT_KILL9_SEED).

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kill9State is the last state the agent logged for an interface in one
// run ("state change"), and whether that run renewed it.
type kill9State struct {
	last    string
	renewed bool
}

// kill9States reads the states the agent logged for each interface in
// log (one run's part of the agent's log).
func kill9States(log string) map[string]kill9State {
	m := map[string]kill9State{}
	for line := range strings.SplitSeq(log, "\n") {
		var rec struct {
			Msg   string `json:"msg"`
			Iface string `json:"iface"`
			State string `json:"state"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Msg != "state change" || rec.Iface == "" {
			continue
		}
		s := m[rec.Iface]
		s.last = rec.State
		s.renewed = s.renewed || rec.State == "RENEWING" || rec.State == "REBINDING"
		m[rec.Iface] = s
	}
	return m
}

// nicMAC returns the hardware address of dev in the client namespace.
func nicMAC(t *testing.T, lab *Lab, dev string) net.HardwareAddr {
	t.Helper()
	var links []ipLink
	lab.ipJSON(&links, "link", "show", "dev", dev)
	if len(links) != 1 {
		t.Fatalf("ip link show %s: %d links", dev, len(links))
	}
	mac, err := net.ParseMAC(links[0].Address)
	if err != nil {
		t.Fatal(err)
	}
	return mac
}

// TestKill9RandomInstants: Kea hands out 6 s leases with T1 at 1 s (so a
// renewal comes in most runs) to eth-cli and eth-sh1 (one subnet),
// eth-cli1 and eth-cli2 (a subnet each). 100 times the agent is killed
// (SIGKILL) and started again with no command: mostly at a random instant
// 0-2 s after it was started (INIT-REBOOT, BOUND, renewing, writing the
// renewed lease), and one time in four right after eth-cli2 was released
// and started again, 0-2 s into its acquisition (which collects offers
// for 1 s). Then:
//   - eth-cli, eth-sh1 and eth-cli1 never lost their addresses, watched
//     every 2 ms and by ip monitor for the whole run (0 gaps);
//   - every interface is BOUND again, on an address of its subnet;
//   - the server holds exactly one lease per interface, the one the agent
//     has (0 duplicates), and no two interfaces share an address.
//
// The kills must have covered acquisition and renewal: at least one kill
// found eth-cli2 SELECTING or REQUESTING, one found it just bound by the
// acquisition the kill came into, and one came after a renewal.
func TestKill9RandomInstants(t *testing.T) {
	t.Parallel()
	const kills = 100
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("DHCPAGENT_KILL9_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("DHCPAGENT_KILL9_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with DHCPAGENT_KILL9_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	lab := newLab(t, LabOptions{Server: Kea, LeaseTime: 6 * time.Second, RenewTime: time.Second,
		RebindTime: 4 * time.Second, SharedNICs: 1, Subnets: 2,
		// eth-cli2's acquisitions last long enough for kills to land in
		// them: offers are collected for 1 s; the kills 0-2 s into it find
		// it SELECTING, just bound (writing its first lease) or BOUND.
		AgentConfig: "eth-cli2.OFFER_WAIT=1\n"})
	nics := []NIC{labNIC(), SharedNIC(1), SubnetNIC(1), SubnetNIC(2)}
	acq := nics[3] // the one released and acquired again
	first := map[string]fullStatus{}
	for i, nic := range nics {
		first[nic.Name] = startNIC(t, lab, nic, i == 0)
	}
	var watches []*svAddrWatch
	for _, nic := range nics[:3] {
		watches = append(watches, lab.svWatchAddr(nic.Name, first[nic.Name].addr()))
	}

	began := time.Now()
	var instants []string
	lastStates := map[string]int{} // "IFACE:STATE" at the kill
	acquiring, acqBound, afterRenewal := 0, 0, 0
	since := 0 // where the running agent's part of the log begins
	for i := range kills {
		var d time.Duration
		what := "run"
		if rng.IntN(4) == 0 {
			what = "acq"
			d = time.Duration(rng.Int64N(int64(2 * time.Second)))
			if r := lab.CtlRoot("release", acq.Name); r.Code != 0 && !strings.Contains(r.Stderr, "OUTSTATE") {
				t.Fatalf("kill %d: %v", i, r)
			}
			if r := lab.CtlRoot("start", acq.Name, "--wait", "0"); r.Code != 0 && !strings.Contains(r.Stderr, "TIMEOUT") &&
				!strings.Contains(r.Stderr, "RUNNING") {
				t.Fatalf("kill %d: %v", i, r)
			}
		} else {
			d = time.Duration(rng.Int64N(int64(2 * time.Second)))
		}
		<-time.After(d) // the random instant is the test's input, not a wait for a condition
		lab.KillAgent()
		instants = append(instants, fmt.Sprintf("%s+%v", what, d.Round(time.Millisecond)))
		states := kill9States(lab.AgentLog()[since:])
		for _, nic := range nics {
			last := states[nic.Name].last
			if last == "" {
				last = "none" // no state change logged in that run
			}
			lastStates[nic.Name+":"+last]++
			if states[nic.Name].renewed {
				afterRenewal++
			}
		}
		switch s := states[acq.Name].last; {
		case s == "SELECTING" || s == "REQUESTING" || s == "PRE_BOUND":
			acquiring++
		case what == "acq" && s == "BOUND":
			acqBound++ // bound by the acquisition the kill came into
		}
		since = lab.LogSize()
		lab.StartAgent()
	}
	t.Logf("%d kills in %v: %s", kills, time.Since(began).Round(time.Second), strings.Join(instants, " "))
	var seen []string
	for k, n := range lastStates {
		seen = append(seen, fmt.Sprintf("%s=%d", k, n))
	}
	slices.Sort(seen)
	t.Logf("the last state logged before each kill: %s", strings.Join(seen, " "))
	t.Logf("%d kills found %s acquiring, %d just bound by a new acquisition; %d interface-runs had renewed before the kill",
		acquiring, acq.Name, acqBound, afterRenewal)
	if acquiring == 0 || acqBound == 0 || afterRenewal == 0 {
		t.Errorf("the kills missed a phase: %d in acquisition, %d just after one, %d after a renewal; want each", acquiring, acqBound, afterRenewal)
	}

	final := map[string]fullStatus{}
	for _, nic := range nics {
		want := first[nic.Name].addr()
		if nic == acq {
			want = netip.Addr{} // released and acquired again: any address of its subnet
		}
		final[nic.Name] = lab.svWaitState(20*time.Second, nic.Name, "BOUND", want)
		if !nic.Subnet.Contains(final[nic.Name].addr()) {
			t.Errorf("%s bound on %s, outside %v", nic.Name, final[nic.Name].Address, nic.Subnet)
		}
	}
	for _, w := range watches {
		w.check(t)
	}
	leases := lab.ServerLeases()
	byIP := map[string]bool{}
	for _, nic := range nics {
		mac := nicMAC(t, lab, nic.Name)
		var mine []ServerLease
		for _, l := range leases {
			if l.MAC.String() == mac.String() && !l.Expires.Before(time.Now()) {
				mine = append(mine, l)
			}
		}
		if len(mine) != 1 || mine[0].IP != final[nic.Name].addr() {
			t.Errorf("server leases of %s (%v): %+v; want exactly one, of %s", nic.Name, mac, mine, final[nic.Name].Address)
		}
		if byIP[final[nic.Name].Address] {
			t.Errorf("%s shares %s with another interface", nic.Name, final[nic.Name].Address)
		}
		byIP[final[nic.Name].Address] = true
	}
}
