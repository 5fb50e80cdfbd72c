//go:build integration

package integration

// The per-interface rules of the IPC contract (issue 4): start, extend,
// release and inform while a transaction is under way; info; watch.

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// statusIs polls status until its state is state and its flags are flags.
func statusIs(t *testing.T, lab *Lab, timeout time.Duration, state string, flags ...string) fullStatus {
	t.Helper()
	return waitStatus(t, lab, timeout, state+" "+strings.Join(flags, ","), func(s fullStatus) error {
		if s.State != state || !slices.Equal(s.Flags, flags) {
			return fmt.Errorf("want state %s with flags %v", state, flags)
		}
		return nil
	})
}

// TestIPCSecondStart: the per-interface rules while a start, or another
// transaction, is under way.
func TestIPCSecondStart(t *testing.T) {
	t.Parallel()
	// SELECT_WAIT is spent in INIT with the start pending (BUSY): a second
	// start is PEND; extend and release have no lease there (OUTSTATE);
	// a drop answers the pending start OUTSTATE. The wait is a random
	// 0..SELECT_WAIT, so SELECT_WAIT is the maximum, 3600 s: the chance
	// that it runs out within the test's few seconds is about 1/1000.
	t.Run("select-wait", func(t *testing.T) {
		t.Parallel()
		lab := newLab(t, LabOptions{Server: Dnsmasq, AgentConfig: "SELECT_WAIT=3600"})
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "0"), "TIMEOUT")
		st := statusIs(t, lab, 2*time.Second, "INIT", "BUSY")
		if st.Sent != 0 {
			t.Errorf("status %+v: sent %d during SELECT_WAIT, want 0", st, st.Sent)
		}
		began := time.Now()
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "10"), "PEND")
		if d := time.Since(began); d > 2*time.Second {
			t.Errorf("PEND came after %v, want at once", d)
		}
		checkFails(t, lab, lab.CtlRoot("-o", "json", "extend", ClientIface), "OUTSTATE")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "release", ClientIface), "OUTSTATE")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "info", "-i", ClientIface, "router"), "OUTSTATE")
		statusIs(t, lab, time.Second, "INIT", "BUSY")
		if r := lab.CtlRoot("-o", "json", "drop", ClientIface); r.Code != 0 {
			t.Fatalf("%v", r)
		}
		checkUnmanaged(t, lab)

		// A start still waiting for its answer when the interface is
		// dropped is answered OUTSTATE (docs/design.md).
		pending := make(chan ctlRun, 1)
		go func() { pending <- lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "60") }()
		statusIs(t, lab, 5*time.Second, "INIT", "BUSY")
		if r := lab.CtlRoot("-o", "json", "drop", ClientIface); r.Code != 0 {
			t.Fatalf("%v", r)
		}
		select {
		case r := <-pending:
			checkFails(t, lab, r, "OUTSTATE")
		case <-time.After(10 * time.Second):
			t.Fatal("the pending start was not answered within 10 s of the drop")
		}
	})

	// With no server, start --wait 0 answers TIMEOUT and the acquisition
	// goes on: SELECTING, a second start is RUNNING, extend OUTSTATE.
	// When a server appears, the DISCOVER retransmissions find it and the
	// interface binds with no further command.
	t.Run("silent-network", func(t *testing.T) {
		t.Parallel()
		lab := newLab(t, LabOptions{Server: Dnsmasq})
		lab.StopServer()
		c := lab.StartCapture()
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "0"), "TIMEOUT")
		statusIs(t, lab, 2*time.Second, "SELECTING", "BUSY")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "10"), "RUNNING")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "extend", ClientIface), "OUTSTATE")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "release", ClientIface), "OUTSTATE")
		since := lab.LogSize()
		lab.StartServer()
		up := time.Now()
		st := waitStatus(t, lab, 25*time.Second, "BOUND without another command", func(s fullStatus) error {
			if s.State != "BOUND" || !s.addr().IsValid() {
				return fmt.Errorf("not bound")
			}
			return nil
		})
		t.Logf("bound %v after the server started", time.Since(up).Round(time.Millisecond))
		if !lab.ClientHasAddr(st.addr()) {
			t.Errorf("%v not applied", st.Address)
		}
		for _, cmd := range lab.Commands(since) {
			if cmd.Command != "status" {
				t.Errorf("command %q given while waiting for the bind", cmd.Command)
			}
		}
		mac := lab.ClientMAC().String()
		discovers := c.Filter(func(p Packet) bool { return p.DHCP == MsgDiscover && p.SrcMAC == mac })
		if len(discovers) < 2 {
			t.Errorf("%d DISCOVERs, want the first and at least one retransmission:\n%s", len(discovers), summaries(discovers))
		}
	})
	// While an extend waits for the server's answer (RENEWING, BUSY),
	// another extend and a release are PEND, inform and start are refused
	// by the state (OUTSTATE, RUNNING) and info still answers; a drop
	// answers the pending extend OUTSTATE.
	t.Run("transaction-outstanding", func(t *testing.T) {
		t.Parallel()
		lab := newLab(t, LabOptions{Server: Dnsmasq})
		startBound(t, lab, "5")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "5"), "RUNNING")
		lab.StopServer()
		pending := make(chan ctlRun, 1)
		go func() { pending <- lab.CtlRoot("-o", "json", "extend", ClientIface) }()
		statusIs(t, lab, 5*time.Second, "RENEWING", "BUSY")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "extend", ClientIface), "PEND")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "release", ClientIface), "PEND")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "inform", ClientIface), "OUTSTATE")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "5"), "RUNNING")
		if r := lab.CtlRoot("info", "-i", ClientIface, "router"); r.Code != 0 || r.Stdout != router+"\n" {
			t.Errorf("%v; want %s", r, router)
		}
		statusIs(t, lab, time.Second, "RENEWING", "BUSY")
		if r := lab.CtlRoot("-o", "json", "drop", ClientIface); r.Code != 0 {
			t.Fatalf("%v", r)
		}
		select {
		case r := <-pending:
			checkFails(t, lab, r, "OUTSTATE")
		case <-time.After(10 * time.Second):
			t.Fatal("the pending extend was not answered within 10 s of the drop")
		}
	})
}

// TestIPCInfo: info reads options of the lease like dhcpinfo, one value
// per line, or hex with -c, by name or code, from the primary interface
// when none is named; on an interface without a lease it is OUTSTATE,
// on an unmanaged one UNKIF.
func TestIPCInfo(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind, Domain: "lab.example",
			DNS: []netip.Addr{netip.MustParseAddr("198.18.0.53"), netip.MustParseAddr("198.18.0.54")}})
		var st fullStatus
		if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "5", "--primary"); err != nil || st.State != "BOUND" {
			t.Fatalf("start --primary: %+v, %v", st, err)
		}
		if !slices.Contains(st.Flags, "PRIMARY") {
			t.Errorf("status flags %v, want PRIMARY", st.Flags)
		}
		yiaddr := st.addr().As4()
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-i", ClientIface, "dns"}, "198.18.0.53\n198.18.0.54\n"},
			{[]string{"-i", ClientIface, "6"}, "198.18.0.53\n198.18.0.54\n"},
			{[]string{"-i", ClientIface, "-c", "dns"}, "c6120035c6120036\n"},
			{[]string{"-i", ClientIface, "-c", "router"}, "c6120001\n"},
			{[]string{"-i", ClientIface, "router"}, router + "\n"},
			{[]string{"-i", ClientIface, "domain"}, "lab.example\n"},
			{[]string{"-i", ClientIface, "subnet-mask"}, "255.255.255.0\n"},
			{[]string{"-i", ClientIface, "-c", "field:16:4"}, fmt.Sprintf("%x\n", yiaddr[:])},
			{[]string{"lease-time"}, "600\n"},
			{[]string{"server-id"}, router + "\n"},
			{[]string{"-c", "51"}, "00000258\n"},
		} {
			r := lab.CtlRoot(append([]string{"info"}, c.args...)...)
			if r.Code != 0 || r.Stdout != c.want {
				t.Errorf("%v; want %q", r, c.want)
			}
		}
		var j struct {
			Values []string `json:"values"`
			Raw    string   `json:"raw"`
		}
		if err := lab.CtlJSON(&j, "info", "-i", ClientIface, "dns"); err != nil ||
			!slices.Equal(j.Values, []string{"198.18.0.53", "198.18.0.54"}) || j.Raw != "c6120035c6120036" {
			t.Errorf("info -o json dns: %+v, %v", j, err)
		}
		if r := lab.CtlRoot("ping"); r.Code != 0 || r.Stdout != "OK\n" {
			t.Errorf("%v; want OK for the primary", r)
		}
		// An empty interface name is the primary one.
		var ext fullStatus
		if err := lab.CtlJSON(&ext, "extend", ""); err != nil || ext.Ifname != ClientIface || ext.State != "BOUND" {
			t.Errorf("extend \"\": %+v, %v; want %s BOUND", ext, err, ClientIface)
		}

		checkFails(t, lab, lab.CtlRoot("-o", "json", "info", "-i", "lo", "dns"), "UNKIF")
		if r := lab.CtlRoot("-o", "json", "drop", ClientIface); r.Code != 0 {
			t.Fatalf("%v", r)
		}
		lab.StopServer()
		checkFails(t, lab, lab.CtlRoot("-o", "json", "start", ClientIface, "--wait", "0"), "TIMEOUT")
		checkFails(t, lab, lab.CtlRoot("-o", "json", "info", "-i", ClientIface, "dns"), "OUTSTATE")
	})
}

// TestIPCWatch: `agentctl -o json watch` prints, as JSON lines, the state
// changes of an acquisition (INIT, SELECTING, REQUESTING, BOUND) and the
// BOUND and DROP events, and exits 0 on SIGINT.
func TestIPCWatch(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	w := lab.StartWatch(nil, 0)
	st := startBound(t, lab, "5")
	if r := lab.CtlRoot("drop", ClientIface); r.Code != 0 {
		t.Fatalf("%v", r)
	}
	type step struct{ Kind, From, State, Event string }
	want := []step{
		{"state", "INIT", "SELECTING", ""},
		{"state", "SELECTING", "REQUESTING", ""},
		{"state", "REQUESTING", "BOUND", ""},
		{"event", "", "BOUND", "BOUND"},
		{"state", "BOUND", "INIT", ""},
		{"event", "", "INIT", "DROP"},
	}
	var evs []watchEvent
	ours := func() ([]watchEvent, error) { // syncWatch's events left out
		all, err := w.Events()
		var out []watchEvent
		for _, e := range all {
			if e.Ifname == ClientIface {
				out = append(out, e)
			}
		}
		return out, err
	}
	waitUntil(t, 5*time.Second, "the watch to print the acquisition and the drop", func() error {
		var err error
		if evs, err = ours(); err != nil {
			return err
		}
		var got []step
		for _, e := range evs {
			got = append(got, step{e.Kind, e.From, e.State, e.Event})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			return fmt.Errorf("(-want +got):\n%s", diff)
		}
		return nil
	})
	stderr, err := w.Interrupt()
	if err != nil {
		t.Errorf("agentctl watch after SIGINT: %v: %s", err, stderr)
	}
	for _, e := range evs {
		if e.Time == nil || e.Sent == nil || e.Received == nil || e.Declined == nil {
			t.Errorf("event %+v lacks time, sent, received or declined", e)
		}
	}
	if bound := evs[3]; bound.Address != st.Address || *bound.Sent != 2 || *bound.Received != 2 {
		t.Errorf("BOUND event %+v, want address %s, sent 2, received 2", bound, st.Address)
	}
	if evs, _ := ours(); len(evs) != len(want) {
		t.Errorf("%d events after SIGINT, want %d", len(evs), len(want))
	}
}
