package ipadm

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNames(t *testing.T) {
	for _, ok := range []string{"eth0", "veth-cli", "a", "fifteen-chars-x"} {
		if err := CheckIfname(ok); err != nil {
			t.Errorf("CheckIfname(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "sixteen-chars-xx", "a/b", "a b", "a\tb", "..", "a:b"} {
		if err := CheckIfname(bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CheckIfname(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	if ifn, n, err := ParseAddrObj("eth0/v4_dhcp1"); err != nil || ifn != "eth0" || n != "v4_dhcp1" {
		t.Errorf("ParseAddrObj = %q %q %v", ifn, n, err)
	}
	for _, bad := range []string{"eth0", "eth0/", "/v4", "eth0/v-4", "eth0/a/b", "eth0/" + string(make([]byte, 33)),
		"eth0/abcdefghijklmnopqrstuvwxyz1234567", "eth0/é"} {
		if _, _, err := ParseAddrObj(bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ParseAddrObj(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
}

func TestFamilies(t *testing.T) {
	for in, want := range map[string][]string{"": {V4, V6}, "v6": {V6}, "v6,v4": {V4, V6}, "v4,v4": {V4}} {
		got, err := ParseFamilies(in)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("ParseFamilies(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseFamilies("v5"); err == nil {
		t.Error("v5 accepted")
	}
}

func TestFlagsAndStates(t *testing.T) {
	if got := (LinkFlags{Broadcast: true, Multicast: true, V4: true}).Current(); got != "bm--4-" {
		t.Errorf("Current = %q", got)
	}
	if got := Persistent(&Interface{Families: []string{V4, V6}}); got != "46" {
		t.Errorf("Persistent = %q", got)
	}
	if got := Persistent(nil); got != "--" {
		t.Errorf("Persistent(nil) = %q", got)
	}
	for _, tc := range []struct {
		active, up, carrier bool
		want                string
	}{{false, true, true, "disabled"}, {true, false, true, "down"}, {true, true, false, "failed"}, {true, true, true, "ok"}} {
		if got := IfState(tc.active, tc.up, tc.carrier); got != tc.want {
			t.Errorf("IfState(%v) = %q, want %q", tc, got, tc.want)
		}
	}
}

func TestOutput(t *testing.T) {
	rows := [][]string{{"eth0/v6", "static", "ok", "U", "U", "2001:db8::1/64"}, {"eth0/d", "dhcp", "ok", "U", "-", "198.18.0.100/24"}}
	idx, err := SelectFields(AddrFields, "addrobj,ADDR")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Parsable(idx, rows), "eth0/v6:2001\\:db8\\:\\:1/64\neth0/d:198.18.0.100/24\n"; got != want {
		t.Errorf("Parsable = %q, want %q", got, want)
	}
	one, _ := SelectFields(AddrFields, "addr")
	if got := Parsable(one, rows[:1]); got != "2001:db8::1/64\n" {
		t.Errorf("single field = %q", got)
	}
	all, _ := SelectFields(IfFields, "")
	want := "IFNAME STATE CURRENT PERSISTENT\neth0   ok    bm--46  46\n"
	if got := Table(IfFields, all, [][]string{{"eth0", "ok", "bm--46", "46"}}); got != want {
		t.Errorf("Table =\n%q, want\n%q", got, want)
	}
	if _, err := SelectFields(IfFields, "ifname,bogus"); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	c := NewConfig()
	c.Interfaces["eth0"] = Interface{Name: "eth0", Families: []string{V4}}
	c.Addresses["eth0/s"] = Address{Object: "eth0/s", Ifname: "eth0", Type: Static, Addr: netip.MustParsePrefix("198.18.0.5/24")}
	c.Addresses["eth0/d"] = Address{Object: "eth0/d", Ifname: "eth0", Type: DHCP}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.AddressesOf("eth0"); len(got) != 2 || got[0].Object != "eth0/d" {
		t.Fatalf("AddressesOf = %v", got)
	}
	c.Addresses["eth1/x"] = Address{Object: "eth1/x", Ifname: "eth1", Type: DHCP}
	if err := c.Validate(); err == nil {
		t.Fatal("an address of an unknown interface passed")
	}
}
