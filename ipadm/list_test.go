package ipadm

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/google/go-cmp/cmp"
)

// TestListings: which objects a listing names, and their rows from what
// was observed of the kernel and the interfaces.
func TestListings(t *testing.T) {
	c := fixture()
	for _, tc := range []struct {
		want string
		objs []string
		code ipc.Code
	}{
		{"", []string{"eth0/d", "eth0/s", "eth0/s6", "eth1/t", "eth2/s"}, ""},
		{"eth0/", []string{"eth0/d", "eth0/s", "eth0/s6"}, ""},
		{"eth2/s", []string{"eth2/s"}, ""},
		{"eth0/x", nil, ipc.ErrNotFound},
		{"eth5/", nil, ipc.ErrNotFound},
		{"eth0", nil, ipc.ErrInvalid},
		{"a:b/", nil, ipc.ErrInvalid},
	} {
		got, err := c.ListAddrs(tc.want)
		var ce *Error
		if tc.code != "" && (!errors.As(err, &ce) || ce.Code != tc.code) || tc.code == "" && err != nil {
			t.Errorf("ListAddrs(%q) error %v, want code %q", tc.want, err, tc.code)
		}
		if diff := cmp.Diff(tc.objs, got); diff != "" {
			t.Errorf("ListAddrs(%q) (-want +got):\n%s", tc.want, diff)
		}
	}
	if _, err := c.ListIfs("eth5"); err == nil {
		t.Error("ListIfs of an unknown interface passed")
	}
	if _, err := c.ListIfs("a/b"); err == nil {
		t.Error("ListIfs of a bad name passed")
	}

	names, err := c.ListIfs("")
	if err != nil {
		t.Fatal(err)
	}
	o := Observed{
		Links: map[string]Link{ // eth1 is gone
			"eth0": {Up: true, Carrier: true, Broadcast: true, Multicast: true},
			"eth3": {Up: true, Virtual: true},
		},
		Flags:  map[string]AddrFlags{"eth0/s": {Present: true}, "eth0/s6": {Present: true, Tentative: true}},
		Leases: map[string]Lease{"eth0": {Addr: netip.MustParsePrefix("198.18.0.100/24"), Bound: true}},
	}
	wantIfs := []IfRow{
		{"eth0", StateOK, "bm--46", "46"},
		{"eth1", StateFailed, "------", "--"},
		{"eth2", StateDisabled, "------", "46"},
		{"eth3", StateFailed, "---v4-", "4-"},
	}
	if diff := cmp.Diff(wantIfs, c.IfRows(names, o)); diff != "" {
		t.Errorf("IfRows (-want +got):\n%s", diff)
	}
	objs, _ := c.ListAddrs("")
	wantAddrs := []AddrRow{
		{"eth0/d", DHCP, StateOK, "U", "U", "198.18.0.100/24"},
		{"eth0/s", Static, StateOK, "U", "U", "198.18.9.9/24"},
		{"eth0/s6", Static, StateTentative, "U", "-", "2001:db8::5/64"},
		{"eth1/t", Static, StateDown, "U", "-", "198.18.8.8/24"},
		{"eth2/s", Static, StateDisabled, "-", "U", "198.18.2.2/24"},
	}
	if diff := cmp.Diff(wantAddrs, c.AddrRows(objs, o)); diff != "" {
		t.Errorf("AddrRows (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		l          Lease
		running    bool
		state, adr string
	}{
		{Lease{}, false, StateDown, "?"},
		{Lease{}, true, StateTentative, "?"},
		{Lease{Addr: netip.MustParsePrefix("198.18.0.7/24")}, true, StateTentative, "198.18.0.7/24"},
		{Lease{Addr: netip.MustParsePrefix("198.18.0.7/24"), Declining: true}, true, StateDuplicate, "198.18.0.7/24"},
	} {
		if s, a := dhcpState(tc.l, tc.running); s != tc.state || a != tc.adr {
			t.Errorf("dhcpState(%+v, %v) = %s %s, want %s %s", tc.l, tc.running, s, a, tc.state, tc.adr)
		}
	}
	for _, tc := range []struct {
		l    Link
		f    AddrFlags
		want string
	}{
		{Link{}, AddrFlags{Present: true}, StateDown},
		{Link{Up: true, Carrier: true}, AddrFlags{Present: true, Duplicate: true}, StateDuplicate},
		{Link{Up: true}, AddrFlags{Present: true}, StateDown},
		{Link{Up: true, Carrier: true}, AddrFlags{}, StateDown},
	} {
		if got := staticState(tc.l, tc.f); got != tc.want {
			t.Errorf("staticState(%+v, %+v) = %s, want %s", tc.l, tc.f, got, tc.want)
		}
	}
}
