//go:build integration

package integration

import (
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

const (
	squatLink = "squat0"        // the squatter's macvlan
	nftTable  = "dhcpagent_lab" // BlockUnicastToServer's table (family inet)
)

// Squat makes another host on the lab's link claim addr: it answers ARP for
// addr (including RFC 5227 probes, whose sender address is 0.0.0.0), so the
// agent's duplicate address check sees a conflict. Cleanup removes it.
//
// The squatter is a macvlan of ServerIface in a third namespace
// (name-q), not addr/32 on ServerIface itself: an address local to the
// server's namespace would swallow dnsmasq's unicast OFFER and ACK to that
// address (dnsmasq sends them to yiaddr through the kernel, which delivers
// them locally), so the client would never get as far as probing.
func (l *Lab) Squat(addr netip.Addr) {
	l.t.Helper()
	if l.squatNS == "" {
		ns := l.name + "-q"
		l.ip("netns", "add", ns)
		l.squatNS = ns // from here on cleanup deletes it
		l.ip("-n", l.ServerNS, "link", "add", squatLink, "link", ServerIface, "type", "macvlan", "mode", "bridge")
		l.ip("-n", l.ServerNS, "link", "set", squatLink, "netns", ns)
		l.ip("-n", ns, "link", "set", "lo", "up")
		l.ip("-n", ns, "link", "set", squatLink, "up")
	}
	l.ip("-n", l.squatNS, "addr", "add", netip.PrefixFrom(addr, 32).String(), "dev", squatLink)
}

// SquatterMAC returns the squatter's hardware address, as tcpdump prints it
// ("" before the first Squat).
func (l *Lab) SquatterMAC() string {
	l.t.Helper()
	if l.squatNS == "" {
		return ""
	}
	out, err := exec.Command("ip", "-n", l.squatNS, "-br", "link", "show", "dev", squatLink).Output()
	if err != nil {
		l.t.Fatalf("ip link show %s: %v", squatLink, err)
	}
	m := regexp.MustCompile(`([0-9a-f]{2}(?::[0-9a-f]{2}){5})`).FindString(string(out))
	if m == "" {
		l.t.Fatalf("no MAC in %q", out)
	}
	return m
}

// BlockUnicastToServer drops, in the client namespace, every UDP datagram
// to 198.18.0.1 port 67 that leaves through the kernel's IP stack (an
// nftables output hook). The agent's unicast renewals go out through an
// ordinary UDP socket and are dropped; its broadcasts go out through an
// AF_PACKET socket, which netfilter does not see, so rebinding passes.
// The rule lives and dies with the client namespace.
func (l *Lab) BlockUnicastToServer() {
	l.t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		l.t.Skip("nft (nftables) not installed; run scripts/deps.sh")
	}
	rules := "table inet " + nftTable + " {\n" +
		"\tchain output {\n" +
		"\t\ttype filter hook output priority filter; policy accept;\n" +
		"\t\tip daddr " + router + " udp dport 67 counter drop\n" +
		"\t}\n}\n"
	cmd := exec.Command("ip", "netns", "exec", l.ClientNS, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		l.t.Fatalf("nft -f: %v: %s\n%s", err, out, rules)
	}
}

// BlockedUnicasts returns how many datagrams BlockUnicastToServer's rule
// has dropped so far.
func (l *Lab) BlockedUnicasts() int {
	l.t.Helper()
	return l.nftPackets("BlockedUnicasts (did BlockUnicastToServer run?)", "chain", "inet", nftTable, "output")
}

// nftPackets returns the packets counted by the first counter that `nft
// list ARGS` shows in the client namespace; what names the caller in a
// failure.
func (l *Lab) nftPackets(what string, args ...string) int {
	l.t.Helper()
	out, err := l.ClientExec(append([]string{"nft", "list"}, args...)...)
	if err != nil {
		l.t.Fatalf("%s: %v", what, err)
	}
	m := regexp.MustCompile(`counter packets (\d+)`).FindStringSubmatch(out)
	if m == nil {
		l.t.Fatalf("%s: no counter in %q", what, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
