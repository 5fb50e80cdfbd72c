//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// status mirrors the fields of `agentctl status -o json` the tests read.
type status struct {
	Ifname   string     `json:"ifname"`
	State    string     `json:"state"`
	Address  string     `json:"address"`
	Prefix   int        `json:"prefix"`
	Server   string     `json:"server"`
	Began    *time.Time `json:"began"`
	Expires  *time.Time `json:"expires"`
	Sent     uint64     `json:"sent"`
	Received uint64     `json:"received"`
}

// ctlError mirrors agentctl's -o json error object.
type ctlError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// TestAcquireReleaseDrop is the walking skeleton end to end, against each
// server: start binds within 2 s; the kernel holds the address with the
// lease's lifetimes and the default route; status agrees with the server's
// lease file; release gives the lease back; drop removes the address and
// leaves the server's lease alone.
func TestAcquireReleaseDrop(t *testing.T) {
	for _, kind := range serverKinds {
		t.Run(string(kind), func(t *testing.T) {
			const leaseTime = 10 * time.Minute
			lab := newLab(t, LabOptions{Server: kind, LeaseTime: leaseTime})

			// --wait 2: the agent itself answers TIMEOUT if binding takes longer.
			var st status
			if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "2"); err != nil {
				t.Fatalf("start: %v\nagent log:\n%s", err, lab.AgentLog())
			}
			if st.State != "BOUND" || st.Ifname != ClientIface {
				t.Fatalf("start answered %+v, want %s BOUND", st, ClientIface)
			}
			addr := netip.MustParseAddr(st.Address)
			lo, hi := netip.MustParseAddr(poolFirst), netip.MustParseAddr(poolLast)
			if addr.Less(lo) || hi.Less(addr) || st.Prefix != 24 || st.Server != router {
				t.Fatalf("lease %s/%d from %s, want an address of %s-%s/24 from %s",
					st.Address, st.Prefix, st.Server, poolFirst, poolLast, router)
			}
			if st.Expires == nil || st.Began == nil || st.Expires.Sub(*st.Began) != leaseTime {
				t.Fatalf("began %v expires %v, want a %v lease", st.Began, st.Expires, leaseTime)
			}
			prefix := netip.PrefixFrom(addr, 24)
			checkKernelLease(t, lab, prefix, leaseTime)
			checkDefaultRoute(t, lab)
			checkServerAgrees(t, lab, st)

			var again status
			if err := lab.CtlJSON(&again, "status", ClientIface); err != nil || again.State != "BOUND" || again.Address != st.Address {
				t.Fatalf("status = %+v, %v; want BOUND on %s", again, err, st.Address)
			}

			// release: RELEASE sent, address gone, the server forgets the lease.
			if err := lab.CtlJSON(&st, "release", ClientIface); err != nil || st.State != "INIT" {
				t.Fatalf("release = %+v, %v", st, err)
			}
			if got := lab.ClientAddrs(); len(got) != 0 {
				t.Fatalf("addresses after release: %v, want none", got)
			}
			if got := defaultRoutes(lab); len(got) != 0 {
				t.Fatalf("default routes after release: %v, want none", got)
			}
			waitUntil(t, 3*time.Second, "server to drop the released lease", func() error {
				for _, l := range lab.ServerLeases() {
					if l.IP == addr {
						return fmt.Errorf("server still holds %v", l)
					}
				}
				return nil
			})
			checkUnmanaged(t, lab)

			// drop: address gone, the server keeps the lease.
			if err := lab.CtlJSON(&st, "start", ClientIface, "--wait", "2"); err != nil || st.State != "BOUND" {
				t.Fatalf("second start = %+v, %v", st, err)
			}
			addr = netip.MustParseAddr(st.Address)
			if err := lab.CtlJSON(&st, "drop", ClientIface); err != nil || st.State != "INIT" {
				t.Fatalf("drop = %+v, %v", st, err)
			}
			if got := lab.ClientAddrs(); len(got) != 0 {
				t.Fatalf("addresses after drop: %v, want none", got)
			}
			if got := defaultRoutes(lab); len(got) != 0 {
				t.Fatalf("default routes after drop: %v, want none", got)
			}
			if !slices.ContainsFunc(lab.ServerLeases(), func(l ServerLease) bool { return l.IP == addr }) {
				t.Fatalf("server lost the lease of %v on drop: %v", addr, lab.ServerLeases())
			}
			checkUnmanaged(t, lab)
		})
	}
}

// checkKernelLease asserts that the interface holds exactly prefix, with
// valid and preferred lifetimes equal to what is left of the lease.
func checkKernelLease(t *testing.T, lab *Lab, prefix netip.Prefix, lease time.Duration) {
	t.Helper()
	addrs := lab.ClientAddrs()
	if len(addrs) != 1 || addrs[0].Prefix != prefix {
		t.Fatalf("kernel addresses %v, want just %v", addrs, prefix)
	}
	a := addrs[0]
	for name, lft := range map[string]time.Duration{"valid": a.ValidLft, "preferred": a.PreferredLft} {
		if lft > lease || lft < lease-10*time.Second {
			t.Errorf("%s lifetime %v, want the lease's %v less the few seconds since", name, lft, lease)
		}
	}
}

func defaultRoutes(lab *Lab) []Route {
	var out []Route
	for _, r := range lab.ClientRoutes() {
		if r.Dst.Bits() == 0 {
			out = append(out, r)
		}
	}
	return out
}

func checkDefaultRoute(t *testing.T, lab *Lab) {
	t.Helper()
	got := defaultRoutes(lab)
	if len(got) != 1 || got[0].Gateway != netip.MustParseAddr(router) || got[0].Protocol != "dhcp" {
		t.Fatalf("default routes %+v, want one via %s, proto dhcp", got, router)
	}
}

// checkServerAgrees compares status with the server's own lease record.
func checkServerAgrees(t *testing.T, lab *Lab, st status) {
	t.Helper()
	mac := lab.ClientMAC().String()
	for _, l := range lab.ServerLeases() {
		if l.MAC.String() != mac {
			continue
		}
		if l.IP.String() != st.Address {
			t.Fatalf("server leased %v to %s, status says %s", l.IP, mac, st.Address)
		}
		// The server counts from its ACK, the agent from its REQUEST
		// (RFC 2131 §4.4.1), and files keep whole seconds.
		if d := l.Expires.Sub(*st.Expires); d < -2*time.Second || d > 2*time.Second {
			t.Fatalf("server expiry %v, status %v", l.Expires, *st.Expires)
		}
		return
	}
	t.Fatalf("server has no lease for %s: %v", mac, lab.ServerLeases())
}

// checkUnmanaged asserts the interface is no longer managed.
func checkUnmanaged(t *testing.T, lab *Lab) {
	t.Helper()
	out, err := lab.Ctl("status", ClientIface, "-o", "json")
	if err == nil || !strings.Contains(out, `"UNKIF"`) {
		t.Fatalf("status after the end = %q, %v; want UNKIF", out, err)
	}
}

// TestSecondAgentRefused: a second agent on the same socket exits non-zero
// with a clear message, and the first keeps serving.
func TestSecondAgentRefused(t *testing.T) {
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	agentBin, _ := findBinaries(t)
	cmd := exec.Command("ip", "netns", "exec", lab.ClientNS, agentBin,
		"--socket", lab.Socket, "--state-dir", t.TempDir(), "--config", "/dev/null")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another agent is running on "+lab.Socket) {
		t.Fatalf("second agent: %v, output %q; want a refusal naming the socket", err, out)
	}
	var all []status
	if err := lab.CtlJSON(&all, "status"); err != nil || len(all) != 0 {
		t.Fatalf("first agent after the refusal: %v, %v", all, err)
	}
}

// TestErrorsAsJSON: failures exit non-zero and name the SPEC error code in
// the message and in the -o json object.
func TestErrorsAsJSON(t *testing.T) {
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	for _, tc := range []struct {
		args []string
		code string
	}{
		{[]string{"drop", ClientIface}, "UNKIF"},
		{[]string{"release", ClientIface}, "UNKIF"},
		{[]string{"start", "no-such-if"}, "INVALID"},
	} {
		out, err := lab.Ctl(append(tc.args, "-o", "json")...)
		if err == nil || !strings.Contains(err.Error(), tc.code) {
			t.Errorf("%v: err %v, want exit non-zero naming %s", tc.args, err, tc.code)
		}
		var e ctlError
		if jerr := jsonUnmarshal(out, &e); jerr != nil || e.Error != tc.code || e.Message == "" {
			t.Errorf("%v: JSON %q (%v), want error %s with a message", tc.args, out, jerr, tc.code)
		}
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
