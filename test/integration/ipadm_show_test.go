//go:build integration

package integration

// Interface administration (issue 6): static objects leave the kernel as
// they found it; errors change nothing; parsable output.

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIPAdmStatic: a static address object is applied (permanent, with
// its prefix route), shows ok, and delete-addr leaves the kernel's
// addresses and routes exactly as they were before create-addr.
func TestIPAdmStatic(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	lab.SettleKernel()
	before := lab.KernelState()

	admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)
	checkShow(t, lab, []ifRow{{ClientIface, "ok", vethFlags, "46"}},
		[]addrRow{{staticObj, "static", "ok", "U", "U", staticPrefix.String()}})
	if got := lab.ClientAddrs(); len(got) != 1 || got[0].Prefix != staticPrefix || got[0].ValidLft != Forever || got[0].Dynamic {
		t.Errorf("kernel addresses %+v, want just %v, permanent", got, staticPrefix)
	}
	want := Route{Dst: staticPrefix.Masked(), Protocol: "kernel"}
	if got := lab.ClientRoutes(); len(got) != 1 || got[0] != want {
		t.Errorf("routes %+v, want just %+v", got, want)
	}

	admin(t, lab, "delete-addr", staticObj)
	checkShow(t, lab, []ifRow{{ClientIface, "ok", vethFlags, "46"}}, []addrRow{})
	if diff := cmp.Diff(before, lab.KernelState()); diff != "" {
		t.Errorf("kernel after create-addr and delete-addr (-before +after):\n%s", diff)
	}
}

// TestIPAdmErrors: bad names, unknown links and objects, existing
// objects, bad arguments and unprivileged callers get their error code
// (exit status and -o json object) and change nothing: not show-if, not
// show-addr, not ipadm.json, not the kernel.
func TestIPAdmErrors(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	openForOthers(t, lab.Dir)
	lab.SettleKernel()
	admin(t, lab, "create-if", ClientIface)
	admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)

	type world struct {
		Ifs    []ifRow
		Addrs  []addrRow
		Store  string
		Kernel KernelState
	}
	look := func() world { return world{lab.ShowIf(), lab.ShowAddr(), lab.IPAdmFile(), lab.KernelState()} }
	before := look()

	long16 := "abcdefghijklmnop" // 16 bytes
	max15 := long16[:15]
	name33 := strings.Repeat("n", 33)
	name32 := name33[:32]
	static := func(obj string) []string { return []string{"create-addr", "-T", "static", "-a", "198.18.9.9/24", obj} }
	for _, c := range []struct {
		cred []string
		args []string
		code string
	}{
		{nil, []string{"create-if", long16}, "INVALID"},
		{nil, []string{"create-if", "eth/cli"}, "INVALID"},
		{nil, []string{"create-if", "eth cli"}, "INVALID"},
		{nil, []string{"create-if", "-f", "v5", "nosuch0"}, "INVALID"},
		{nil, []string{"delete-if", long16}, "INVALID"},
		{nil, []string{"enable-if", "eth/cli"}, "INVALID"},
		{nil, []string{"disable-if", long16}, "INVALID"},
		{nil, static(ClientIface + "/bad-name"), "INVALID"},
		{nil, static(ClientIface + "/" + name33), "INVALID"},
		{nil, static(ClientIface + "/"), "INVALID"},
		{nil, static(ClientIface), "INVALID"},
		{nil, static(long16 + "/a"), "INVALID"},
		{nil, []string{"create-addr", "-T", "dhcp", "-w", "5", ClientIface + "/bad-name"}, "INVALID"},
		{nil, []string{"create-addr", "-T", "static", "-a", "198.18.9.9", ClientIface + "/t"}, "INVALID"},
		{nil, []string{"create-addr", "-T", "bogus", ClientIface + "/t"}, "INVALID"},
		{nil, []string{"delete-addr", ClientIface + "/bad-name"}, "INVALID"},
		{nil, []string{"refresh-addr", ClientIface + "/" + name33}, "INVALID"},
		{nil, []string{"show-addr", ClientIface + "/bad-name"}, "INVALID"},
		{nil, []string{"show-if", long16}, "INVALID"},

		{nil, []string{"create-if", "nosuch0"}, "NOLINK"},
		{nil, []string{"create-if", max15}, "NOLINK"}, // 15 bytes is a valid name
		{nil, static("nosuch0/a"), "NOLINK"},
		{nil, static("nosuch0/" + name32), "NOLINK"}, // 32 is a valid object name
		{nil, []string{"create-addr", "-T", "dhcp", "-w", "5", "nosuch0/d"}, "NOLINK"},

		{nil, []string{"delete-if", "nosuch0"}, "NOTFOUND"},
		{nil, []string{"enable-if", "nosuch0"}, "NOTFOUND"},
		{nil, []string{"enable-if", "lo"}, "NOTFOUND"},
		{nil, []string{"disable-if", "nosuch0"}, "NOTFOUND"},
		{nil, []string{"delete-addr", ClientIface + "/none"}, "NOTFOUND"},
		{nil, []string{"refresh-addr", ClientIface + "/none"}, "NOTFOUND"},
		{nil, []string{"show-if", "nosuch0"}, "NOTFOUND"},
		{nil, []string{"show-addr", ClientIface + "/none"}, "NOTFOUND"},

		{nil, []string{"create-if", ClientIface}, "EXISTS"},
		{nil, []string{"create-if", "-t", ClientIface}, "EXISTS"},
		{nil, static(staticObj), "EXISTS"},
		{nil, []string{"enable-if", ClientIface}, "EXISTS"},

		{asNobody, []string{"create-if", "lo"}, "PERM"},
		{asNobody, []string{"create-if", "nosuch0"}, "PERM"},
		{asNobody, []string{"create-if", long16}, "PERM"},
		{asNobody, []string{"delete-if", ClientIface}, "PERM"},
		{asNobody, []string{"disable-if", ClientIface}, "PERM"},
		{asNobody, []string{"enable-if", ClientIface}, "PERM"},
		{asNobody, static(ClientIface + "/t"), "PERM"},
		{asNobody, []string{"create-addr", "-T", "dhcp", "-w", "5", ClientIface + "/d"}, "PERM"},
		{asNobody, []string{"delete-addr", staticObj}, "PERM"},
		{asNobody, []string{"refresh-addr", staticObj}, "PERM"},
	} {
		r := lab.CtlAs(c.cred, append([]string{"-o", "json"}, c.args...)...)
		checkFails(t, lab, r, c.code)
		if diff := cmp.Diff(before, look()); diff != "" {
			t.Errorf("%v changed things (-before +after):\n%s", r, diff)
			before = look()
		}
	}
}

// TestIPAdmParsable: show-if and show-addr with -p -o FIELDS print
// ipadm's parsable lines: the fields joined by ':', no header, ':' and
// '\' escaped with '\' when more than one field is printed.
func TestIPAdmParsable(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		admin(t, lab, "create-if", ClientIface)
		admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)
		admin(t, lab, "create-addr", "-T", "static", "-a", "2001:db8::7/64", ClientIface+"/v6")
		st := createDHCP(t, lab, dhcpObj)
		leased := netip.PrefixFrom(st.addr(), st.Prefix).String()

		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"show-if", "-p", "-o", "ifname,state"}, "eth-cli:ok\n"},
			{[]string{"show-if", "-p", "-o", "IFNAME,Current,persistent"}, "eth-cli:" + vethFlags + ":46\n"},
			{[]string{"show-if", "-p", "-o", "state", ClientIface}, "ok\n"},
			{[]string{"show-addr", "-p", "-o", "addrobj,addr"},
				"eth-cli/d:" + leased + "\neth-cli/s:198.18.7.7/24\n" + `eth-cli/v6:2001\:db8\:\:7/64` + "\n"},
			{[]string{"show-addr", "-p", "-o", "addr", ClientIface + "/v6"}, "2001:db8::7/64\n"},
			{[]string{"show-addr", "-p", "-o", "all", staticObj}, "eth-cli/s:static:ok:U:U:198.18.7.7/24\n"},
			{[]string{"show-if", "-o", "ifname,state"}, "IFNAME  STATE\neth-cli ok\n"},
		} {
			if r := lab.CtlRoot(c.args...); r.Code != 0 || r.Stdout != c.want {
				t.Errorf("%v; want %q", r, c.want)
			}
		}
		for _, args := range [][]string{
			{"show-if", "-p"},
			{"show-addr", "-p"},
			{"show-if", "-p", "-o", "ifname,bogus"},
			{"show-addr", "-o", "addrobj,mtu"},
		} {
			if r := lab.CtlRoot(args...); r.Code != 1 || r.Stdout != "" {
				t.Errorf("%v; want a usage error (exit 1) and no output", r)
			}
		}
	})
}

// TestIPAdmShowAddrByInterface: docs/ipadm.md (and illumos ipadm) name
// the objects of one interface with IF/: `show-addr IF/` lists them.
func TestIPAdmShowAddrByInterface(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	admin(t, lab, "create-addr", "-T", "static", "-a", staticPrefix.String(), staticObj)
	admin(t, lab, "create-addr", "-T", "static", "-a", "198.18.8.8/24", ClientIface+"/s2")
	want := "eth-cli/s:static:198.18.7.7/24\neth-cli/s2:static:198.18.8.8/24\n"
	if r := lab.CtlRoot("show-addr", "-p", "-o", "addrobj,type,addr", ClientIface+"/"); r.Code != 0 || r.Stdout != want {
		t.Errorf("%v; want %q", r, want)
	}
	if rows := lab.ShowAddr(staticObj); len(rows) != 1 || rows[0].Addrobj != staticObj {
		t.Errorf("show-addr %s: %+v, want just that object", staticObj, rows)
	}
}
