//go:build integration

package integration

// The proof of interface administration (issue 6): interface and address
// objects with an active and a persistent configuration, against dnsmasq
// and Kea wherever a DHCP server is involved. Harness in
// ipadm_lab_test.go and ipc_lab_test.go.

import (
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	dhcpObj   = ClientIface + "/d"
	staticObj = ClientIface + "/s"
	// CURRENT of eth-cli: broadcast, multicast, no point-to-point, virtual
	// (veth), IPv4 and IPv6.
	vethFlags = "bm-v46"
)

var staticPrefix = netip.MustParsePrefix("198.18.7.7/24")

// admin runs an agentctl verb as root with -o json and requires success
// and a JSON answer: {"result": "OK"}, or a status for DHCP objects.
func admin(t *testing.T, lab *Lab, args ...string) ctlRun {
	t.Helper()
	r := lab.CtlRoot(append([]string{"-o", "json"}, args...)...)
	var answer map[string]any
	if r.Code != 0 || jsonUnmarshal(r.Stdout, &answer) != nil || answer["result"] != "OK" && answer["state"] == nil {
		t.Fatalf("%v; want exit 0 and {\"result\": \"OK\"} or a status", r)
	}
	return r
}

// createDHCP creates the DHCP address object obj and requires it bound,
// with the address on ClientIface.
func createDHCP(t *testing.T, lab *Lab, obj string) fullStatus {
	t.Helper()
	r := admin(t, lab, "create-addr", "-T", "dhcp", "-w", "10", obj)
	var st fullStatus
	if err := jsonUnmarshal(r.Stdout, &st); err != nil || st.State != "BOUND" || !st.addr().IsValid() {
		t.Fatalf("%v; want the interface's status, BOUND (%v)", r, err)
	}
	if !lab.ClientHasAddr(st.addr()) {
		t.Fatalf("%s bound %s, not on %s: %v", obj, st.Address, ClientIface, lab.ClientAddrs())
	}
	return st
}

// checkShow compares show-if and show-addr with what is wanted.
func checkShow(t *testing.T, lab *Lab, ifs []ifRow, addrs []addrRow) {
	t.Helper()
	if diff := cmp.Diff(ifs, lab.ShowIf()); diff != "" {
		t.Errorf("show-if (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(addrs, lab.ShowAddr()); diff != "" {
		t.Errorf("show-addr (-want +got):\n%s", diff)
	}
}

// checkStored compares the objects of ipadm.json with what is wanted.
func checkStored(t *testing.T, lab *Lab, ifs, addrs []string) {
	t.Helper()
	gotIfs, gotAddrs := lab.StoredObjects()
	if diff := cmp.Diff(sortStrings(ifs), gotIfs); diff != "" {
		t.Errorf("interfaces in ipadm.json (-want +got):\n%s\n%s", diff, lab.IPAdmFile())
	}
	if diff := cmp.Diff(sortStrings(addrs), gotAddrs); diff != "" {
		t.Errorf("address objects in ipadm.json (-want +got):\n%s\n%s", diff, lab.IPAdmFile())
	}
}

// TestIPAdmRestart: a persistent interface with a DHCP address object
// comes back after the agent restarts, whether it stopped (SIGTERM) or was
// killed (SIGKILL): show-if ok, show-addr ok on the same leased address,
// the address in the kernel, and no command but show-if and show-addr
// given to bring it back.
func TestIPAdmRestart(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		admin(t, lab, "create-if", ClientIface)
		st := createDHCP(t, lab, dhcpObj)
		prefix := netip.PrefixFrom(st.addr(), st.Prefix)
		wantIfs := []ifRow{{ClientIface, "ok", vethFlags, "46"}}
		wantAddrs := []addrRow{{dhcpObj, "dhcp", "ok", "U", "U", prefix.String()}}
		checkShow(t, lab, wantIfs, wantAddrs)
		checkStored(t, lab, []string{ClientIface}, []string{dhcpObj})

		for _, restart := range []struct {
			name string
			stop func()
		}{
			{"SIGTERM", func() {
				if err := lab.StopAgent(); err != nil {
					t.Fatalf("agent exit: %v", err)
				}
			}},
			{"SIGKILL", lab.KillAgent},
		} {
			restart.stop()
			since := lab.LogSize()
			lab.StartAgent()
			waitUntil(t, 15*time.Second, "the objects back after "+restart.name, func() error {
				if diff := cmp.Diff(wantIfs, lab.ShowIf()); diff != "" {
					return fmt.Errorf("show-if (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(wantAddrs, lab.ShowAddr()); diff != "" {
					return fmt.Errorf("show-addr (-want +got):\n%s", diff)
				}
				return nil
			})
			if !lab.ClientHasAddr(st.addr()) {
				t.Errorf("after %s: %v not on %s: %v", restart.name, st.Address, ClientIface, lab.ClientAddrs())
			}
			if lease, ok := lab.ServerLease(st.addr()); !ok || lease.MAC.String() != lab.ClientMAC().String() {
				t.Errorf("after %s: server lease of %s: %+v (%v)", restart.name, st.Address, lease, ok)
			}
			for _, c := range lab.Commands(since) {
				if c.Command != "show-if" && c.Command != "show-addr" {
					t.Errorf("after %s: command %q given", restart.name, c.Command)
				}
			}
		}
	})
}

// TestIPAdmTemporary: objects created with -t are active only: not in
// ipadm.json, PERSISTENT "--" and "-", and gone after a restart; a
// persistent object on a temporary interface answers INVALID. The agent
// takes a temporary static address out of the kernel as it stops, and does
// not resume the interface of a temporary DHCP object.
func TestIPAdmTemporary(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	admin(t, lab, "create-if", "-t", ClientIface)
	admin(t, lab, "create-addr", "-t", "-T", "static", "-a", staticPrefix.String(), staticObj)
	admin(t, lab, "create-addr", "-t", "-T", "dhcp", "-w", "10", ClientIface+"/d")
	// A persistent object on a temporary interface is refused (illumos), so
	// ipadm.json never holds an object without its interface.
	checkFails(t, lab, lab.CtlRoot("-o", "json", "create-addr", "-T", "static", "-a", "198.18.77.1/24", ClientIface+"/p"), "INVALID")
	var st fullStatus
	if err := lab.CtlJSON(&st, "status", ClientIface); err != nil || st.State != "BOUND" {
		t.Fatalf("status after create-addr -t -T dhcp: %+v, %v", st, err)
	}
	checkShow(t, lab, []ifRow{{ClientIface, "ok", vethFlags, "--"}},
		[]addrRow{{ClientIface + "/d", "dhcp", "ok", "U", "-", st.Address + "/" + strconv.Itoa(st.Prefix)},
			{staticObj, "static", "ok", "U", "-", staticPrefix.String()}})
	checkStored(t, lab, nil, nil)

	if err := lab.StopAgent(); err != nil {
		t.Fatalf("agent exit: %v", err)
	}
	if lab.ClientHasAddr(staticPrefix.Addr()) {
		t.Errorf("after SIGTERM the temporary %v is still in the kernel", staticPrefix)
	}
	lab.StartAgent()
	checkShow(t, lab, []ifRow{}, []addrRow{})
	checkStored(t, lab, nil, nil)
	var all []fullStatus
	if err := lab.CtlJSON(&all, "status"); err != nil || len(all) != 0 {
		t.Errorf("status after the restart: %+v, %v; want no managed interface", all, err)
	}
	if addrs := lab.ClientAddrs(); len(addrs) != 0 {
		t.Errorf("addresses after the restart: %v, want none", addrs)
	}
}

// TestIPAdmDisableEnable: disable-if takes the interface and its address
// objects out of the kernel (addresses removed, the DHCP lease dropped,
// the link down) and leaves them persistent: show-if disabled, show-addr
// disabled; create-if and create-addr then answer DISABLED_OBJ; enable-if
// brings everything back: the static address, and the DHCP object bound
// again to its address.
func TestIPAdmDisableEnable(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		admin(t, lab, "create-if", ClientIface)
		admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)
		st := createDHCP(t, lab, dhcpObj)
		leased := netip.PrefixFrom(st.addr(), st.Prefix).String()

		admin(t, lab, "disable-if", ClientIface)
		checkShow(t, lab, []ifRow{{ClientIface, "disabled", "------", "46"}}, []addrRow{
			{dhcpObj, "dhcp", "disabled", "-", "U", "?"},
			{staticObj, "static", "disabled", "-", "U", staticPrefix.String()},
		})
		if got := lab.ClientAddrs(); len(got) != 0 {
			t.Errorf("addresses after disable-if: %v, want none", got)
		}
		if got := lab.ClientRoutes(); len(got) != 0 {
			t.Errorf("routes after disable-if: %v, want none", got)
		}
		if lab.ClientLinkUp() {
			t.Errorf("%s still up after disable-if", ClientIface)
		}
		checkUnmanaged(t, lab)
		if _, ok := lab.ServerLease(st.addr()); !ok {
			t.Errorf("the server lost the lease of %s (disable-if drops it): %v", st.Address, lab.ServerLeases())
		}
		checkStored(t, lab, []string{ClientIface}, []string{dhcpObj, staticObj})

		for _, args := range [][]string{
			{"create-if", ClientIface},
			{"create-if", "-t", ClientIface},
			{"create-addr", "-T", "static", "-a", "198.18.8.8/24", ClientIface + "/x"},
			{"create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj},
			{"create-addr", "-T", "dhcp", "-w", "5", ClientIface + "/d2"},
		} {
			checkFails(t, lab, lab.CtlRoot(append([]string{"-o", "json"}, args...)...), "DISABLED_OBJ")
		}

		admin(t, lab, "enable-if", ClientIface)
		checkFails(t, lab, lab.CtlRoot("-o", "json", "enable-if", ClientIface), "EXISTS")
		waitUntil(t, 15*time.Second, "both objects back", func() error {
			want := []addrRow{
				{dhcpObj, "dhcp", "ok", "U", "U", leased},
				{staticObj, "static", "ok", "U", "U", staticPrefix.String()},
			}
			if diff := cmp.Diff(want, lab.ShowAddr()); diff != "" {
				return fmt.Errorf("show-addr (-want +got):\n%s", diff)
			}
			return nil
		})
		if diff := cmp.Diff([]ifRow{{ClientIface, "ok", vethFlags, "46"}}, lab.ShowIf()); diff != "" {
			t.Errorf("show-if after enable-if (-want +got):\n%s", diff)
		}
		var static, dhcp bool
		for _, a := range lab.ClientAddrs() {
			switch a.Prefix.String() {
			case staticPrefix.String():
				static = a.ValidLft == Forever && !a.Dynamic
			case leased:
				dhcp = a.ValidLft < Forever
			}
		}
		if !static || !dhcp {
			t.Errorf("kernel addresses after enable-if: %+v; want %v permanent and %s with the lease's lifetime",
				lab.ClientAddrs(), staticPrefix, leased)
		}
		checkDefaultRoute(t, lab)
	})
}

// TestIPAdmDeleteIf: delete-if removes the interface with its address
// objects from both configurations (static address removed, DHCP lease
// dropped: the server keeps it), sets the link down and IPv6 off; it
// works on an interface that is only persistent too; a second delete-if
// answers NOTFOUND; a restart brings nothing back.
func TestIPAdmDeleteIf(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		admin(t, lab, "create-if", ClientIface)
		admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)
		st := createDHCP(t, lab, dhcpObj)

		admin(t, lab, "delete-if", ClientIface)
		checkShow(t, lab, []ifRow{}, []addrRow{})
		checkStored(t, lab, nil, nil)
		if got := lab.ClientAddrs(); len(got) != 0 {
			t.Errorf("addresses after delete-if: %v, want none", got)
		}
		if lab.ClientLinkUp() || !lab.ClientIPv6Disabled() {
			t.Errorf("after delete-if: link up %v, IPv6 disabled %v; want down and disabled",
				lab.ClientLinkUp(), lab.ClientIPv6Disabled())
		}
		checkUnmanaged(t, lab)
		if _, ok := lab.ServerLease(st.addr()); !ok {
			t.Errorf("the server lost the lease of %s (delete-if drops it): %v", st.Address, lab.ServerLeases())
		}

		// Only persistent: disabled first.
		admin(t, lab, "create-if", ClientIface)
		admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)
		admin(t, lab, "disable-if", ClientIface)
		checkStored(t, lab, []string{ClientIface}, []string{staticObj})
		admin(t, lab, "delete-if", ClientIface)
		checkShow(t, lab, []ifRow{}, []addrRow{})
		checkStored(t, lab, nil, nil)
		checkFails(t, lab, lab.CtlRoot("-o", "json", "delete-if", ClientIface), "NOTFOUND")

		if err := lab.StopAgent(); err != nil {
			t.Fatalf("agent exit: %v", err)
		}
		lab.StartAgent()
		checkShow(t, lab, []ifRow{}, []addrRow{})
		if got := lab.ClientAddrs(); len(got) != 0 {
			t.Errorf("addresses after the restart: %v, want none", got)
		}
	})
}

// TestIPAdmDeleteAddr: delete-addr -r releases the lease (RELEASE sent,
// the lease gone from the server's lease file); delete-addr without -r
// drops it (the server keeps it), and the next create-addr -T dhcp
// reboots into the same address: an INIT-REBOOT REQUEST (option 50, no
// option 54, no ciaddr, broadcast) and no DISCOVER.
func TestIPAdmDeleteAddr(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		c := lab.StartCapture()
		mac := lab.ClientMAC().String()
		first := createDHCP(t, lab, dhcpObj)
		checkShow(t, lab, []ifRow{{ClientIface, "ok", vethFlags, "46"}},
			[]addrRow{{dhcpObj, "dhcp", "ok", "U", "U", netip.PrefixFrom(first.addr(), first.Prefix).String()}})

		admin(t, lab, "delete-addr", "-r", dhcpObj)
		if lab.ClientHasAddr(first.addr()) {
			t.Errorf("%s still on %s after delete-addr -r", first.Address, ClientIface)
		}
		c.WaitForPacket(t, 3*time.Second, "RELEASE of "+first.Address, func(p Packet) bool {
			return p.DHCP == MsgRelease && p.SrcMAC == mac && p.ClientIP == first.addr()
		})
		waitUntil(t, 3*time.Second, "the server to record the release", func() error {
			if l, ok := lab.ServerLease(first.addr()); ok {
				return fmt.Errorf("server still holds %+v", l)
			}
			return nil
		})
		checkShow(t, lab, []ifRow{{ClientIface, "ok", vethFlags, "46"}}, []addrRow{})
		checkStored(t, lab, []string{ClientIface}, nil)

		second := createDHCP(t, lab, dhcpObj)
		admin(t, lab, "delete-addr", dhcpObj)
		if lab.ClientHasAddr(second.addr()) {
			t.Errorf("%s still on %s after delete-addr", second.Address, ClientIface)
		}
		checkUnmanaged(t, lab)
		if _, ok := lab.ServerLease(second.addr()); !ok {
			t.Fatalf("the server lost the lease of %s on delete-addr without -r: %v", second.Address, lab.ServerLeases())
		}

		mark := time.Now()
		third := createDHCP(t, lab, dhcpObj)
		if third.Address != second.Address {
			t.Errorf("create-addr after delete-addr bound %s, want %s again", third.Address, second.Address)
		}
		after := func(p Packet) bool { return p.Time.After(mark) && p.SrcMAC == mac && p.BOOTP }
		req := c.WaitForPacket(t, 3*time.Second, "the client's first message after delete-addr", after)
		if req.DHCP != MsgRequest || req.OptionAddr(50) != second.addr() || req.Has(54) ||
			(req.ClientIP.IsValid() && !req.ClientIP.IsUnspecified()) || req.Dst != bcastPort {
			t.Errorf("first message %s; want an INIT-REBOOT REQUEST: option 50 %s, no 54, no ciaddr, broadcast:\n%s",
				req.Summary(), second.Address, req.Text())
		}
		if ds := c.Filter(func(p Packet) bool { return after(p) && p.DHCP == MsgDiscover }); len(ds) != 0 {
			t.Errorf("DISCOVER after delete-addr without -r:\n%s", summaries(ds))
		}
	})
}
