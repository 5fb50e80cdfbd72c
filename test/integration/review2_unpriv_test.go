//go:build integration

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Review by attack (h5): what user nobody may ask, asked as fast as it
// can. TestAttackUnprivileged covers idle, trickled and watch
// connections and absurd info fields; this is the flood of well-formed
// commands nobody is allowed to give, the listings among them (each a
// goroutine with netlink and status round trips in the agent).

// review2Flood is the shell loop each of nobody's workers runs: the
// allowed commands in turn until the end, then the count it gave.
const review2Flood = `ctl=$1 sock=$2 ifc=$3 end=$(( $(date +%s) + $4 )) n=0
while [ "$(date +%s)" -lt "$end" ]; do
	for a in "status" "status $ifc" "show-if" "show-addr" "info -i $ifc router" "info -i $ifc -c 51" "ping $ifc" "status nosuch$n" "show-addr nosuch$n/x"; do
		$ctl --socket "$sock" $a >/dev/null 2>&1
		n=$((n+1))
	done
done
echo $n`

// TestReview2UnprivilegedCommandFlood: eight workers as user nobody give
// status, show-if, show-addr (of a static and a DHCP object), info, ping
// and status and show-addr of names that do not exist, back to back for
// 6 s. Root is answered within 3 s throughout, BOUND on its address, the
// kernel keeps the address, and afterwards the agent holds no connection
// of theirs and no more goroutines than before (within a margin), and
// root's extend renews the lease.
func TestReview2UnprivilegedCommandFlood(t *testing.T) {
	// Not parallel: the flood takes both cores, and root's 3 s is a promise
	// about the agent, not about a starved machine.
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true, AgentArgs: []string{"--test-hooks"}})
	lab.Socket = filepath.Join(lab.Dir, "run", "agent.sock")
	openForOthers(t, lab.Dir)
	lab.StartAgent()
	st := startBound(t, lab, "5")
	for _, args := range [][]string{
		{"create-addr", "-T", "static", "-a", "198.18.7.7/24", ClientIface + "/s"},
		{"create-addr", "-T", "dhcp", ClientIface + "/d"},
	} {
		if r := lab.CtlRoot(args...); r.Code != 0 {
			t.Fatalf("%v", r)
		}
	}
	before, _ := lab.debugStats()
	since := lab.LogSize()

	const d = 6 * time.Second
	script := filepath.Join(lab.Dir, "flood.sh")
	if err := os.WriteFile(script, []byte(review2Flood), 0o755); err != nil {
		t.Fatal(err)
	}
	var attackers []*attacker
	for i := range 8 {
		out := filepath.Join(lab.Dir, fmt.Sprintf("flood-%d.out", i))
		argv := append(append([]string{"setpriv"}, asNobody...), "--", "sh", script, lab.ctlBin, lab.Socket, ClientIface,
			strconv.Itoa(int(d/time.Second)))
		a := &attacker{what: fmt.Sprintf("command flood %d", i), out: out}
		a.p = lab.startFiles(a.what, lab.ClientNS, out, out+".err", nil, argv)
		lab.others = append(lab.others, a.p)
		attackers = append(attackers, a)
	}
	slowest := rootServedDuring(t, lab, attackers[0], st.Address)
	total := 0
	for _, a := range attackers {
		select {
		case <-a.p.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not end", a.what)
		}
		n, err := strconv.Atoi(strings.TrimSpace(readFile(a.out)))
		if err != nil {
			t.Fatalf("%s: %q: %v (stderr %q)", a.what, readFile(a.out), err, readFile(a.out+".err"))
		}
		total += n
	}
	served := 0 // as the agent logged them, with nobody's uid
	for _, c := range lab.Commands(since) {
		if c.UID != nil && *c.UID == nobodyUID {
			served++
		}
	}
	t.Logf("nobody gave %d commands in %v, %d served; root's slowest status: %v", total, d, served, slowest)
	if total < 200 || served < 200 {
		t.Errorf("nobody gave %d commands, the agent served %d: the flood proved nothing", total, served)
	}
	waitUntil(t, 5*time.Second, "the flood's connections and goroutines to be given back", func() error {
		g, c := lab.debugStats()
		if c != 1 || g > before+10 {
			return fmt.Errorf("%d goroutines (%d before), %d control connections", g, before, c)
		}
		return nil
	})
	var after fullStatus
	if err := lab.CtlJSON(&after, "extend", ClientIface); err != nil || after.State != "BOUND" || after.Address != st.Address {
		t.Errorf("root's extend after the flood: %+v, %v; want BOUND on %s", after, err, st.Address)
	}
}
