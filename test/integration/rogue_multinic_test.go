//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// TestRogueTurnsHostile: two NICs on one subnet hold 10 s leases from the
// rogue server (eth-cli 198.18.0.100, eth-sh1 198.18.0.101), which then
// turns hostile to eth-cli only: first its renewals are ACKed with junk
// option 121 routes (and one good one), then NAKed. eth-cli takes the good
// route only (its option 3 default, which the new ACK lacks, goes), then
// loses its address at the NAK; all the while eth-sh1 renews as before and
// its address and routes never change (SPEC §2: an event on one interface
// never changes another's).
func TestRogueTurnsHostile(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Rogue, SharedNICs: 1})
	sh := SharedNIC(1)
	macA, macB := nicMAC(t, lab, ClientIface).String(), nicMAC(t, lab, sh.Name).String()
	leaseOf := func(a string) RogueScenario {
		r := rogueLease(10 * time.Second)
		r.Yiaddr = netip.MustParseAddr(a)
		return RogueScenario{Offer: r, Ack: r}
	}
	a, b := leaseOf("198.18.0.100"), leaseOf("198.18.0.101")
	serve := func(a RogueScenario) {
		lab.RestartServer(func(o *LabOptions) { o.Rogue = RogueScenario{Clients: map[string]RogueScenario{macA: a, macB: b}} })
	}
	serve(a)
	startNIC(t, lab, labNIC(), true)
	stB := startNIC(t, lab, sh, false)
	if stB.Address != "198.18.0.101" {
		t.Fatalf("%s bound on %s, want 198.18.0.101", sh.Name, stB.Address)
	}
	routesB := lab.routes("dev", sh.Name)
	untouched := func() error {
		if !lab.clientHas(sh.Name, stB.addr()) {
			return fmt.Errorf("%s lost %v", sh.Name, stB.addr())
		}
		if got := lab.routes("dev", sh.Name); !slices.Equal(got, routesB) {
			return fmt.Errorf("routes of %s changed: %+v, were %+v", sh.Name, got, routesB)
		}
		return kernelJunk(lab)
	}

	mark := time.Now()
	junk := a
	junk.Ack = junk.Ack.set(121, rfc3442([]ClasslessRoute{
		{netip.MustParsePrefix("127.0.0.0/8"), rogueServer},
		{netip.MustParsePrefix("0.0.0.0/0"), rogueYiaddr},
		{netip.MustParsePrefix("10.0.0.0/8"), rogueServer},
	}))
	serve(junk)
	waitUntil(t, 15*time.Second, "eth-cli's renewal to install the good route only", func() error {
		if err := untouched(); err != nil {
			t.Fatal(err)
		}
		var got []Route
		for _, r := range lab.ClientRoutes() {
			if r.Protocol != "kernel" {
				got = append(got, Route{Dst: r.Dst, Gateway: r.Gateway})
			}
		}
		if want := []Route{route("10.0.0.0/8", router)}; !slices.Equal(got, want) {
			return fmt.Errorf("routes via %s: %+v; want %+v", ClientIface, got, want)
		}
		return nil
	})

	nak := a
	nak.Ack.NAK = true
	serve(nak)
	waitUntil(t, 15*time.Second, "eth-cli's address to go at the NAK", func() error {
		if err := untouched(); err != nil {
			t.Fatal(err)
		}
		if lab.ClientHasAddr(rogueYiaddr) {
			return fmt.Errorf("%v still on %s", rogueYiaddr, ClientIface)
		}
		return nil
	})
	holdFor(t, 2*time.Second, sh.Name+" untouched after eth-cli's NAK", untouched)

	renewedB := 0
	for _, m := range lab.ClientMessages(mark) {
		if m.Chaddr == macB && m.Type == "REQUEST" && m.Ciaddr == stB.Address {
			renewedB++
		}
	}
	if renewedB == 0 {
		t.Errorf("%s never renewed while eth-cli was attacked: the test proved nothing of it", sh.Name)
	}
	if st := lab.svWaitState(5*time.Second, sh.Name, "BOUND", stB.addr()); st.Address != stB.Address {
		t.Errorf("%s: %+v", sh.Name, st)
	}
}
