//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// Review by attack (h5): three NICs on one subnet against a server that
// NAKs every REQUEST.

// TestReview2NAKStormThreeNICs: eth-cli, eth-sh1 and eth-sh2 share the
// lab's segment (one bridge), each with an address and a route its
// operator put there; the rogue server offers each an address of its own
// and NAKs every REQUEST. Each NIC backs off on its own (SPEC §2: 4 s
// doubling): in 14 s at most a dozen messages from each hardware address
// and never more than 4 in a second, so three NICs draw three trickles,
// not one interface's worth multiplied by a loop. No NIC's addresses or
// routes change (none gets a lease, none loses what its operator put
// there), and `agentctl status IF` of each shows its own NAK refusal.
func TestReview2NAKStormThreeNICs(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Rogue, SharedNICs: 2})
	nics := []NIC{labNIC(), SharedNIC(1), SharedNIC(2)}
	clients := map[string]RogueScenario{}
	macs := map[string]string{}
	for k, n := range nics {
		r := rogueLease(10 * time.Minute)
		r.Yiaddr = netip.AddrFrom4([4]byte{198, 18, 0, byte(100 + k)})
		nak := r
		nak.NAK = true
		mac := nicMAC(t, lab, n.Name).String()
		clients[mac], macs[n.Name] = RogueScenario{Offer: r, Ack: nak}, mac
		// The operator's own address and route on the NIC, on a subnet
		// of its own (one inside the lab's would make the offers to
		// the NICs not yet started conflict: kernel.AddrTable.Conflicts).
		lab.ip("-n", lab.ClientNS, "addr", "add", fmt.Sprintf("198.19.%d.1/24", k), "dev", n.Name)
		lab.ip("-n", lab.ClientNS, "route", "add", fmt.Sprintf("10.%d.0.0/16", k+1), "via", fmt.Sprintf("198.19.%d.254", k), "dev", n.Name)
	}
	lab.RestartServer(func(o *LabOptions) { o.Rogue = RogueScenario{Clients: clients} })
	type host struct {
		addrs  string
		routes []Route
	}
	snapshot := func(name string) host {
		out, err := lab.ClientExec("ip", "-4", "-o", "addr", "show", "dev", name)
		if err != nil {
			t.Fatalf("ip addr show dev %s: %v", name, err)
		}
		return host{out, lab.routes("dev", name)}
	}
	before := map[string]host{}
	for _, n := range nics {
		before[n.Name] = snapshot(n.Name)
	}

	began := time.Now()
	for _, n := range nics {
		lab.CtlRoot("start", n.Name, "--wait", "0") // TIMEOUT: the outcome is watched below
	}
	holdFor(t, 14*time.Second, "three NICs NAKed", func() error {
		for _, n := range nics {
			now := snapshot(n.Name)
			if now.addrs != before[n.Name].addrs || !slices.Equal(now.routes, before[n.Name].routes) {
				return fmt.Errorf("%s changed: addresses %q, routes %+v; were %q, %+v", n.Name,
					now.addrs, now.routes, before[n.Name].addrs, before[n.Name].routes)
			}
		}
		return nil
	})

	msgs := lab.ClientMessages(began)
	for _, n := range nics {
		var times []time.Duration
		var kinds []string
		requests := 0
		for _, m := range msgs {
			if m.Chaddr == macs[n.Name] {
				if m.Type == "REQUEST" {
					requests++
				}
				times = append(times, m.Time.Sub(began))
				kinds = append(kinds, fmt.Sprintf("%s@%v/%x", m.Type, m.Time.Sub(began).Round(time.Millisecond), m.Xid))
			}
		}
		t.Logf("%s: %d messages: %v", n.Name, len(times), kinds)
		if requests < 2 {
			t.Errorf("%s sent %d REQUESTs: it was NAKed too seldom for the test to prove anything of it", n.Name, requests)
		}
		if len(times) > 12 {
			t.Errorf("%s sent %d messages in 14 s; want at most 12", n.Name, len(times))
		}
		for i := range times {
			j := i
			for j < len(times) && times[j]-times[i] < time.Second {
				j++
			}
			if j-i > 4 {
				t.Errorf("%s sent %d messages within a second of %v; want at most 4", n.Name, j-i, times[i])
				break
			}
		}
		var st struct {
			State    string `json:"state"`
			Address  string `json:"address"`
			Refusals []struct {
				Time   time.Time `json:"time"`
				Reason string    `json:"reason"`
				Detail string    `json:"detail"`
			} `json:"refusals"`
		}
		if err := lab.CtlJSON(&st, "status", n.Name); err != nil {
			t.Fatalf("status %s: %v", n.Name, err)
		}
		if st.State == "BOUND" || st.Address != "" {
			t.Errorf("status %s = %+v; want no lease", n.Name, st)
		}
		if !slices.ContainsFunc(st.Refusals, func(r struct {
			Time   time.Time `json:"time"`
			Reason string    `json:"reason"`
			Detail string    `json:"detail"`
		}) bool {
			return r.Reason == "nak" && r.Detail != "" && !r.Time.Before(began.Add(-time.Second))
		}) {
			t.Errorf("status %s refusals %+v; want its NAK with a detail and a time", n.Name, st.Refusals)
		}
	}
}
