//go:build integration

package integration

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Review by attack (h5): kill -9 at instants TestKill9RandomInstants only
// hits by chance, made certain: the server has committed a lease whose
// ACK the client never got.

// review2AckTable is the nftables table (family netdev) of blockACKs.
const review2AckTable = "dhcpagent_review2"

// blockACKs drops, on the way into each of devs in the client namespace
// (a netdev ingress hook, ahead of the agent's packet socket), every DHCP
// ACK: a UDP datagram from port 67 whose BOOTP message has option 53 first
// (dnsmasq writes it first) with type 5. OFFERs and NAKs pass, so an
// acquisition gets as far as its REQUEST, which the server commits.
func (l *Lab) blockACKs(devs ...string) {
	l.t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		l.t.Skip("nft (nftables) not installed; run scripts/deps.sh")
	}
	rules := "table netdev " + review2AckTable + " {\n"
	for _, dev := range devs {
		// Bit offsets from the UDP header: 8 bytes of it, then the
		// BOOTP message's byte 240 (the first option's code), 242 (the
		// message type).
		rules += "\tchain in_" + strings.ReplaceAll(dev, "-", "_") + " {\n" +
			"\t\ttype filter hook ingress device \"" + dev + "\" priority filter; policy accept;\n" +
			"\t\tudp sport 67 @th,1984,8 53 @th,2000,8 5 counter drop\n" +
			"\t}\n"
	}
	rules += "}\n"
	cmd := exec.Command("ip", "netns", "exec", l.ClientNS, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		l.t.Fatalf("nft -f: %v: %s\n%s", err, out, rules)
	}
}

// blockedACKs returns how many ACKs blockACKs dropped coming in on dev.
func (l *Lab) blockedACKs(dev string) int {
	l.t.Helper()
	return l.nftPackets("blockedACKs", "chain", "netdev", review2AckTable, "in_"+strings.ReplaceAll(dev, "-", "_"))
}

// TestReview2Kill9MidRequestAndRenewal: eth-cli and eth-sh1 on one subnet
// (dnsmasq). eth-cli is bound; eth-sh1 was released. With every ACK to
// them dropped, eth-cli is renewing (extend: dnsmasq has renewed the
// lease, the client has not heard) and eth-sh1 acquiring (its REQUEST
// committed at dnsmasq, the ACK lost) when the agent is killed. The agent
// is started again with no command: eth-cli never lost its address and is
// BOUND on it again, eth-sh1 is BOUND on the address dnsmasq committed to
// it, and dnsmasq holds exactly one lease per NIC, two distinct addresses.
func TestReview2Kill9MidRequestAndRenewal(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq, SharedNICs: 1})
	cli, sh := labNIC(), SharedNIC(1)
	stCli := startNIC(t, lab, cli, true)
	startNIC(t, lab, sh, false)
	if r := lab.CtlRoot("release", sh.Name); r.Code != 0 {
		t.Fatalf("release %s: %v", sh.Name, r)
	}
	watch := lab.svWatchAddr(cli.Name, stCli.addr())
	macSh := nicMAC(t, lab, sh.Name).String()

	lab.blockACKs(cli.Name, sh.Name)
	lab.CtlRoot("start", sh.Name, "--wait", "0")
	extended := make(chan ctlRun, 1) // extend waits for the ACK: until the kill
	go func() { extended <- lab.CtlRoot("extend", cli.Name) }()
	var committed ServerLease
	waitUntil(t, 10*time.Second, "both ACKs dropped, eth-sh1's lease committed", func() error {
		// eth-cli's renewal ACK, unicast to its address, may come in on
		// eth-sh1: the host answers ARP for it on both (arp_ignore 0).
		if n, m := lab.blockedACKs(cli.Name), lab.blockedACKs(sh.Name); n+m < 2 {
			return fmt.Errorf("ACKs dropped: %d on %s, %d on %s", n, cli.Name, m, sh.Name)
		}
		for _, l := range lab.ServerLeases() {
			if l.MAC.String() == macSh {
				committed = l
				return nil
			}
		}
		return fmt.Errorf("dnsmasq has no lease of %s", macSh)
	})
	for _, n := range []NIC{cli, sh} {
		var st fullStatus
		if err := lab.CtlJSON(&st, "status", n.Name); err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{cli.Name: "RENEWING", sh.Name: "REQUESTING"}[n.Name]; st.State != want {
			t.Fatalf("%s is %s at the kill; want %s", n.Name, st.State, want)
		}
	}
	lab.KillAgent()
	if r := <-extended; r.Code == 0 {
		t.Errorf("extend answered OK, its ACK dropped: %+v", r)
	}
	if _, err := lab.ClientExec("nft", "delete", "table", "netdev", review2AckTable); err != nil {
		t.Fatal(err)
	}
	lab.StartAgent()

	finalCli := lab.svWaitState(20*time.Second, cli.Name, "BOUND", stCli.addr())
	finalSh := lab.svWaitState(20*time.Second, sh.Name, "BOUND", committed.IP)
	watch.check(t)
	if finalCli.Address == finalSh.Address {
		t.Errorf("%s and %s share %s", cli.Name, sh.Name, finalCli.Address)
	}
	for _, n := range []NIC{cli, sh} {
		mac := nicMAC(t, lab, n.Name).String()
		var mine []ServerLease
		for _, l := range lab.ServerLeases() {
			if l.MAC.String() == mac {
				mine = append(mine, l)
			}
		}
		want := map[string]string{cli.Name: finalCli.Address, sh.Name: finalSh.Address}[n.Name]
		if len(mine) != 1 || mine[0].IP.String() != want {
			t.Errorf("dnsmasq's leases of %s: %+v; want exactly one, of %s", n.Name, mine, want)
		}
	}
}
