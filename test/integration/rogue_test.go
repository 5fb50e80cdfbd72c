//go:build integration

package integration

// Issue 12's rogue-server proofs: a server crafting replies (harness in
// rogue_lab_test.go) never gets junk into the kernel nor draws more than a
// trickle of packets. Each scenario runs in a lab of its own; the kernel's
// addresses and routes are checked every 50 ms while it runs.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// rogueCase is one scenario and what the agent must make of it.
type rogueCase struct {
	name string
	sc   RogueScenario
	// bound: the agent must bind (to 198.18.0.100); else it must not, and
	// must count the offer or ACK it refused (bad_offers) unless quiet.
	bound bool
	quiet bool // the refusal is not an offer's (an ACK ignored, a NAK)
	// reason, when set, must be logged ("refused" with this reason).
	reason string
	// setup, when set, runs before the start.
	setup func(lab *Lab)
	// agentArgs are extra agent flags (LabOptions.AgentArgs).
	agentArgs []string
	// hold is how long the scenario is watched (2 s when 0).
	hold time.Duration
	// check, when set, runs at the end with the last status and the
	// instant the start was asked.
	check func(t *testing.T, lab *Lab, st fullStatus, began time.Time)
}

// runRogueCase starts the agent against the scenario and checks it.
func runRogueCase(t *testing.T, c rogueCase) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Rogue, Rogue: c.sc, AgentArgs: c.agentArgs})
	if c.setup != nil {
		c.setup(lab)
	}
	began := time.Now()
	lab.CtlRoot("start", ClientIface, "--wait", "0") // TIMEOUT: the outcome is watched below
	var st fullStatus
	if c.bound {
		st = waitStatus(t, lab, 10*time.Second, "BOUND", func(s fullStatus) error {
			if s.State != "BOUND" || s.Address != rogueYiaddr.String() {
				return fmt.Errorf("not bound to %v", rogueYiaddr)
			}
			return nil
		})
	} else if !c.quiet {
		st = waitStatus(t, lab, 10*time.Second, "the reply refused", func(s fullStatus) error {
			if s.BadOffers == 0 {
				return fmt.Errorf("no bad offer counted")
			}
			return nil
		})
	}
	hold := c.hold
	if hold == 0 {
		hold = 2 * time.Second
	}
	holdFor(t, hold, c.name, func() error {
		if err := kernelJunk(lab); err != nil {
			return err
		}
		if !c.bound && len(lab.ClientAddrs()) != 0 {
			return fmt.Errorf("an address is on %s: %+v", ClientIface, lab.ClientAddrs())
		}
		return nil
	})
	if err := lab.CtlJSON(&st, "status", ClientIface); err != nil {
		t.Fatal(err)
	}
	if !c.bound && (st.State == "BOUND" || st.Address != "") {
		t.Errorf("status %+v; want no lease", st)
	}
	if c.reason != "" {
		if !loggedRefusal(lab, c.reason) {
			t.Errorf("no refusal with reason %q in the agent's log", c.reason)
		}
		checkStatusRefusal(t, lab, c.reason, began)
	}
	if c.check != nil {
		c.check(t, lab, st, began)
	}
}

// checkStatusRefusal requires `agentctl status IF -o json` to show a
// refusal with reason, a detail and a time since began: an operator's
// answer to "why has eth-cli no address?" without reading logs.
func checkStatusRefusal(t *testing.T, lab *Lab, reason string, began time.Time) {
	t.Helper()
	var st struct {
		Refusals []struct {
			Time   time.Time `json:"time"`
			Reason string    `json:"reason"`
			Detail string    `json:"detail"`
		} `json:"refusals"`
	}
	if err := lab.CtlJSON(&st, "status", ClientIface); err != nil {
		t.Fatal(err)
	}
	if len(st.Refusals) > 8 {
		t.Errorf("status shows %d refusals; want the latest 8 at most", len(st.Refusals))
	}
	for _, r := range st.Refusals {
		if r.Reason == reason && r.Detail != "" && !r.Time.Before(began.Add(-time.Second)) {
			return
		}
	}
	t.Errorf("status refusals %+v; want one with reason %q, a detail and a time", st.Refusals, reason)
}

// loggedRefusal reports whether the agent logged a refusal on ClientIface
// with reason.
func loggedRefusal(lab *Lab, reason string) bool {
	for line := range strings.SplitSeq(lab.AgentLog(), "\n") {
		var rec struct {
			Msg    string `json:"msg"`
			Iface  string `json:"iface"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "refused" && rec.Iface == ClientIface && rec.Reason == reason {
			return true
		}
	}
	return false
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func addrs(s ...string) []byte {
	var b []byte
	for _, a := range s {
		b = append(b, netip.MustParseAddr(a).AsSlice()...)
	}
	return b
}

// wantRoutes checks the routes via ClientIface other than the kernel's
// on-link route of the subnet.
func wantRoutes(t *testing.T, lab *Lab, want ...Route) {
	t.Helper()
	var got []Route
	for _, r := range lab.ClientRoutes() {
		if r.Protocol != "kernel" {
			got = append(got, Route{Dst: r.Dst, Gateway: r.Gateway})
		}
	}
	key := func(a, b Route) int { return a.Dst.Addr().Compare(b.Dst.Addr())*64 + a.Dst.Bits() - b.Dst.Bits() }
	slices.SortFunc(got, key)
	slices.SortFunc(want, key)
	if !slices.Equal(got, want) {
		t.Errorf("routes via %s: %+v; want %+v", ClientIface, got, want)
	}
}

func route(dst, gw string) Route {
	r := Route{Dst: netip.MustParsePrefix(dst)}
	if gw != "" {
		r.Gateway = netip.MustParseAddr(gw)
	}
	return r
}

// wantPrefix checks the prefix length of the bound address.
func wantPrefix(bits int) func(*testing.T, *Lab, fullStatus, time.Time) {
	return func(t *testing.T, lab *Lab, st fullStatus, _ time.Time) {
		t.Helper()
		want := netip.PrefixFrom(rogueYiaddr, bits)
		if a := lab.ClientAddrs(); len(a) != 1 || a[0].Prefix != want {
			t.Errorf("addresses on %s: %+v; want only %v", ClientIface, a, want)
		}
	}
}

// TestRogueYiaddr: offers of an address no host may hold (the server's
// own, the subnet's network and broadcast addresses, class E) and a zero
// netmask. The junk addresses are refused and counted, nothing is
// installed; a 0.0.0.0 mask is not a /0: the classful /24 is used.
func TestRogueYiaddr(t *testing.T) {
	t.Parallel()
	junk := func(a string) RogueScenario {
		return rogueDefault().bothReplies(func(r rogueReply) rogueReply {
			r.Yiaddr = netip.MustParseAddr(a)
			return r
		})
	}
	for _, c := range []rogueCase{
		{name: "well-formed", sc: rogueDefault(), bound: true, agentArgs: []string{"--metrics", metricsAddr},
			check: func(t *testing.T, lab *Lab, st fullStatus, _ time.Time) {
				wantPrefix(24)(t, lab, st, time.Time{})
				wantRoutes(t, lab, route("0.0.0.0/0", router))
				// The control of TestRogueMalformed: the harness's replies
				// are well-formed.
				if n := malformedFrames(t, lab); n != 0 {
					t.Errorf("dhcpagent_frames_malformed_total = %v for well-formed replies", n)
				}
			}},
		{name: "server's own", sc: junk(router), reason: "bad_address"},
		{name: "network", sc: junk("198.18.0.0"), reason: "bad_address"},
		{name: "broadcast", sc: junk("198.18.0.255"), reason: "bad_address"},
		{name: "class E", sc: junk("240.0.0.5"), reason: "bad_address"},
		{name: "limited broadcast", sc: junk("255.255.255.255"), reason: "bad_address"},
		{name: "mask 0.0.0.0", bound: true, check: wantPrefix(24),
			sc: rogueDefault().bothReplies(func(r rogueReply) rogueReply { return r.set(1, []byte{0, 0, 0, 0}) })},
	} {
		t.Run(c.name, func(t *testing.T) { runRogueCase(t, c) })
	}
}

// countedWithin checks that the client sent at most max messages to the
// rogue server in the window since began, and at most perSecond in any
// one second of it.
func countedWithin(max, perSecond int) func(*testing.T, *Lab, fullStatus, time.Time) {
	return func(t *testing.T, lab *Lab, _ fullStatus, began time.Time) {
		t.Helper()
		msgs := lab.ClientMessages(began)
		var kinds []string
		for _, m := range msgs {
			kinds = append(kinds, fmt.Sprintf("%s@%v", m.Type, m.Time.Sub(began).Round(10*time.Millisecond)))
		}
		t.Logf("client messages in %v: %d: %v", time.Since(began).Round(time.Second), len(msgs), kinds)
		if len(msgs) > max {
			t.Errorf("%d client messages in %v; want at most %d", len(msgs), time.Since(began).Round(time.Second), max)
		}
		for i := range msgs {
			n := 0
			for _, m := range msgs[i:] {
				if m.Time.Sub(msgs[i].Time) < time.Second {
					n++
				}
			}
			if n > perSecond {
				t.Errorf("%d client messages within a second of %v; want at most %d", n, msgs[i].Time.Sub(began), perSecond)
				break
			}
		}
	}
}

// TestRogueStorms: a server that NAKs every REQUEST draws no more than a
// trickle: failures back off 4 s doubling (SPEC §2 "Keeping the lease"),
// so that in 14 s the client sends at most a dozen messages (were it to
// loop, a thousand a second), never a burst, and installs nothing.
func TestRogueStorms(t *testing.T) {
	t.Parallel()
	nak := rogueDefault()
	nak.Ack.NAK = true
	for _, c := range []rogueCase{
		{name: "NAK storm", sc: nak, reason: "nak", quiet: true, hold: 14 * time.Second, check: countedWithin(12, 4)},
	} {
		t.Run(c.name, func(t *testing.T) { runRogueCase(t, c) })
	}
}

// TestRogueRoutes: option 121 (RFC 3442) from a hostile server. Routes to
// loopback, multicast, class E, 0/8 and the limited broadcast, and a
// default via the client's own address, are skipped while the one good
// route is installed; so is a route via another interface's address; a
// route the kernel refuses never stops the later
// ones; a malformed 121 falls back to option 3's default route, never to
// no routes at all.
func TestRogueRoutes(t *testing.T) {
	t.Parallel()
	junk := rfc3442([]ClasslessRoute{
		{netip.MustParsePrefix("127.0.0.0/8"), rogueServer},
		{netip.MustParsePrefix("224.0.0.0/4"), rogueServer},
		{netip.MustParsePrefix("240.0.0.0/4"), rogueServer},
		{netip.MustParsePrefix("0.1.0.0/16"), rogueServer},
		{netip.MustParsePrefix("255.255.255.255/32"), rogueServer},
		{netip.MustParsePrefix("0.0.0.0/0"), rogueYiaddr},
		{netip.MustParsePrefix("198.18.9.0/24"), rogueYiaddr},
		{netip.MustParsePrefix("10.0.0.0/8"), rogueServer},
	})
	with121 := func(b []byte) RogueScenario {
		return rogueDefault().bothReplies(func(r rogueReply) rogueReply { return r.set(121, b) })
	}
	for _, c := range []rogueCase{
		{name: "junk routes", sc: with121(junk), reason: "bad_route", bound: true, check: func(t *testing.T, lab *Lab, _ fullStatus, _ time.Time) {
			wantRoutes(t, lab, route("10.0.0.0/8", router))
		}},
		// A gateway that is an address of another of the host's
		// interfaces (a veth of the client's namespace) is left out by
		// the lease's checks (gateway_on_host), the other routes kept;
		// option 3's default goes via the next router.
		{name: "via another interface's address", reason: "gateway_on_host", bound: true, setup: hostPeer,
			check: func(t *testing.T, lab *Lab, _ fullStatus, _ time.Time) {
				wantRoutes(t, lab, route("172.16.0.0/12", router))
				if strings.Contains(lab.AgentLog(), "via 198.18.50.1") {
					t.Errorf("the route via 198.18.50.1 reached the kernel")
				}
			}, sc: with121(rfc3442([]ClasslessRoute{
				{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("198.18.50.1")},
				{netip.MustParsePrefix("172.16.0.0/12"), rogueServer},
			}))},
		{name: "option 3 via another interface's address", reason: "gateway_on_host", bound: true, setup: hostPeer,
			check: func(t *testing.T, lab *Lab, _ fullStatus, _ time.Time) {
				wantRoutes(t, lab, route("0.0.0.0/0", router))
			}, sc: rogueDefault().bothReplies(func(r rogueReply) rogueReply {
				return r.set(3, append(netip.MustParseAddr("198.18.50.1").AsSlice(), rogueServer.AsSlice()...))
			})},
		// A gateway the kernel takes for a broadcast address (that of
		// a subnet of lo here) passes every check of the lease, but the
		// kernel refuses it ("Nexthop has invalid gateway"): the routes
		// after it are installed all the same.
		{name: "kernel refuses one", bound: true, setup: func(lab *Lab) {
			lab.ip("-n", lab.ClientNS, "addr", "add", "198.18.50.1/24", "brd", "+", "dev", "lo")
		}, check: func(t *testing.T, lab *Lab, _ fullStatus, began time.Time) {
			checkStatusRefusal(t, lab, "kernel_refused", began)
			wantRoutes(t, lab, route("172.16.0.0/12", router), route("192.168.0.0/16", router))
			if !strings.Contains(lab.AgentLog(), "add route 10.0.0.0/8 via 198.18.50.255") {
				t.Errorf("the kernel's refusal of 10.0.0.0/8 via 198.18.50.255 is not in the agent's log")
			}
		}, sc: with121(rfc3442([]ClasslessRoute{
			{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParseAddr("198.18.50.255")},
			{netip.MustParsePrefix("172.16.0.0/12"), rogueServer},
			{netip.MustParsePrefix("192.168.0.0/16"), rogueServer},
		}))},
		// A prefix length of 33; a route cut short.
		{name: "width 33", sc: with121([]byte{33, 10, 0, 0, 0, 0, 198, 18, 0, 1}), reason: "bad_option_121", bound: true,
			check: func(t *testing.T, lab *Lab, _ fullStatus, _ time.Time) {
				wantRoutes(t, lab, route("0.0.0.0/0", router))
			}},
		{name: "truncated", reason: "bad_option_121", sc: with121(append(rfc3442([]ClasslessRoute{{netip.MustParsePrefix("10.0.0.0/8"), rogueServer}}), 24, 10, 1)), bound: true,
			check: func(t *testing.T, lab *Lab, _ fullStatus, _ time.Time) {
				wantRoutes(t, lab, route("0.0.0.0/0", router))
			}},
	} {
		t.Run(c.name, func(t *testing.T) { runRogueCase(t, c) })
	}
}

// hostPeer gives the client's namespace another interface with the
// address 198.18.50.1/24 (one end of a veth pair, both ends up).
func hostPeer(lab *Lab) {
	lab.ip("-n", lab.ClientNS, "link", "add", "h4x0", "type", "veth", "peer", "name", "h4x1")
	lab.ip("-n", lab.ClientNS, "addr", "add", "198.18.50.1/24", "dev", "h4x0")
	lab.ip("-n", lab.ClientNS, "link", "set", "h4x1", "up")
	lab.ip("-n", lab.ClientNS, "link", "set", "h4x0", "up")
}

// TestRogueReplies: an ACK naming another server than the one requested
// is ignored (nothing bound), and the refusal logged with its reason;
// options carried in the sname and file fields under option 52 (RFC 2132
// §9.3) are read: the lease time, mask and router there make a 10-minute
// /24 lease with its default route.
func TestRogueReplies(t *testing.T) {
	t.Parallel()
	other := rogueDefault()
	other.Ack = other.Ack.set(54, addrs("198.18.0.2"))
	overload := func(r rogueReply) rogueReply {
		r.Options = []rogueOption{{52, []byte{3}}, {54, rogueServer.AsSlice()}}
		r.File = []rogueOption{{51, u32(600)}, {1, []byte{255, 255, 255, 0}}}
		r.Sname = []rogueOption{{3, rogueServer.AsSlice()}}
		return r
	}
	for _, c := range []rogueCase{
		{name: "server id mismatch", sc: other, reason: "server_id_mismatch", quiet: true, hold: 6 * time.Second},
		{name: "overload", sc: rogueDefault().bothReplies(overload), bound: true, check: func(t *testing.T, lab *Lab, st fullStatus, _ time.Time) {
			wantPrefix(24)(t, lab, st, time.Time{})
			wantRoutes(t, lab, route("0.0.0.0/0", router))
			if st.Expires == nil || st.Began == nil || st.Expires.Sub(*st.Began) != 10*time.Minute {
				t.Errorf("status %+v; want a 10-minute lease (option 51 in the file field)", st)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) { runRogueCase(t, c) })
	}
}

// malformedFrames reads dhcpagent_frames_malformed_total (the agent runs
// with --metrics metricsAddr).
func malformedFrames(t *testing.T, lab *Lab) float64 {
	t.Helper()
	fams, err := lab.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	n, ok := metricValue(fams, "dhcpagent_frames_malformed_total", nil)
	if !ok {
		t.Fatal("no dhcpagent_frames_malformed_total in /metrics")
	}
	return n
}

// TestRogueMalformed: replies that are not well-formed DHCP (an option
// running past the end of the packet, a message cut before its options)
// are dropped and counted (dhcpagent_frames_malformed_total), logged with
// the reason (malformed) and shown by status (issue 12: "malformed replies
// are logged nowhere with a reason"): nothing is bound or installed and the
// agent goes on answering.
func TestRogueMalformed(t *testing.T) {
	t.Parallel()
	malformed := func(f func(rogueReply) rogueReply) rogueCase {
		return rogueCase{sc: rogueDefault().bothReplies(f), quiet: true, hold: 3 * time.Second, reason: "malformed",
			agentArgs: []string{"--metrics", metricsAddr},
			check: func(t *testing.T, lab *Lab, st fullStatus, _ time.Time) {
				if n := malformedFrames(t, lab); n < 1 {
					t.Errorf("dhcpagent_frames_malformed_total = %v; want the malformed replies counted", n)
				}
				if st.State != "SELECTING" || st.BadOffers != 0 {
					t.Errorf("status %+v; want SELECTING with no offer taken for one", st)
				}
			}}
	}
	overrun := malformed(func(r rogueReply) rogueReply {
		r.Tail = []byte{51, 200, 0, 0}
		return r
	})
	overrun.name = "option past the end"
	cut := malformed(func(r rogueReply) rogueReply {
		r.Truncate = 200
		return r
	})
	cut.name = "cut before the options"
	for _, c := range []rogueCase{overrun, cut} {
		t.Run(c.name, func(t *testing.T) { runRogueCase(t, c) })
	}
}

// TestRogueShortLeases: a 0 s lease is unusable (refused, counted, backed
// off: a dozen messages in 14 s at most, where it looped 165 exchanges a
// second), a 1 s lease never loops once a second; neither ever becomes a
// permanent address.
func TestRogueShortLeases(t *testing.T) {
	t.Parallel()
	lease := func(s uint32) RogueScenario {
		return rogueDefault().bothReplies(func(r rogueReply) rogueReply { return r.set(51, u32(s)) })
	}
	for _, c := range []rogueCase{
		{name: "0 s", sc: lease(0), reason: "zero_lease_time", hold: 14 * time.Second, check: countedWithin(12, 4)},
		{name: "1 s", sc: lease(1), bound: true, hold: 14 * time.Second, check: countedWithin(12, 4)},
	} {
		t.Run(c.name, func(t *testing.T) { runRogueCase(t, c) })
	}
}
