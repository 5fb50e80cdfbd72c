//go:build integration

package integration

import (
	"os/exec"
	"strings"
)

// svHoldTable is the nftables table (family netdev) of svBlockRequests.
const svHoldTable = "dhcpagent_survive"

// svBlockRequests drops, on the way out of dev in the client namespace
// (an nftables netdev egress hook, which the agent's packet socket goes
// through), every DHCP REQUEST that carries option 50: SELECTING and
// INIT-REBOOT REQUESTs. The agent writes its options sorted by code, so
// such a REQUEST has option 50 (6 bytes) first, at byte 240 of the BOOTP
// message, and option 53 (message type 3) right after it; a DISCOVER has
// option 53 first and passes. The server therefore never sees the
// REQUEST, whichever way it reads packets.
func (l *Lab) svBlockRequests(dev string) {
	l.t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		l.t.Skip("nft (nftables) not installed; run scripts/deps.sh")
	}
	// Bit offsets from the UDP header: 8 bytes of it, then the BOOTP
	// message's byte 240 (option 50's code), 246 (53's code), 248 (type).
	rules := "table netdev " + svHoldTable + " {\n" +
		"\tchain egress {\n" +
		"\t\ttype filter hook egress device \"" + dev + "\" priority filter; policy accept;\n" +
		"\t\tudp dport 67 @th,1984,8 50 @th,2032,8 53 @th,2048,8 3 counter drop\n" +
		"\t}\n}\n"
	cmd := exec.Command("ip", "netns", "exec", l.ClientNS, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		l.t.Fatalf("nft -f: %v: %s\n%s", err, out, rules)
	}
}

// svBlockedRequests returns how many REQUESTs svBlockRequests dropped.
func (l *Lab) svBlockedRequests() int {
	l.t.Helper()
	return l.nftPackets("svBlockedRequests", "table", "netdev", svHoldTable)
}

// svUnblockRequests removes svBlockRequests' table.
func (l *Lab) svUnblockRequests() {
	l.t.Helper()
	if _, err := l.ClientExec("nft", "delete", "table", "netdev", svHoldTable); err != nil {
		l.t.Fatal(err)
	}
}
