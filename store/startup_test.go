package store

import (
	"errors"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/google/go-cmp/cmp"
)

// What a new agent reads at start-up: the primary, the managed interfaces
// in order, and which of them a persistent DHCP address object starts.
func TestReadStartup(t *testing.T) {
	s, corrupt := open(t)
	empty, err := ReadStartup(s)
	if err != nil || empty.Primary != "" || len(empty.Managed) != 0 || empty.Owned("eth0") {
		t.Fatalf("empty store = %+v, %v", empty, err)
	}
	for _, name := range []string{"eth2", "eth0", "eth1"} {
		if err := s.UpdateInterface(name, func(r *Interface) { r.Managed = name != "eth2" }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateHost(func(h *Host) { h.Primary = "eth1" }); err != nil {
		t.Fatal(err)
	}
	c := ipadm.NewConfig()
	for _, name := range []string{"eth0", "eth1"} {
		c.Interfaces[name] = ipadm.Interface{Name: name, Families: []string{ipadm.V4}}
	}
	c.Addresses["eth1/d"] = ipadm.Address{Object: "eth1/d", Ifname: "eth1", Type: ipadm.DHCP}
	if err := s.SaveIPAdm(c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadStartup(reopen(t, s.Dir(), corrupt))
	if err != nil {
		t.Fatal(err)
	}
	if got.Primary != "eth1" || !cmp.Equal(got.Managed, []string{"eth0", "eth1"}) {
		t.Fatalf("startup = primary %q, managed %v", got.Primary, got.Managed)
	}
	if got.Owned("eth0") || !got.Owned("eth1") || got.Owned("eth2") {
		t.Fatalf("owned: eth0 %v, eth1 %v, eth2 %v; want only eth1", got.Owned("eth0"), got.Owned("eth1"), got.Owned("eth2"))
	}
	if len(*corrupt) != 0 {
		t.Fatalf("problems %v", *corrupt)
	}
	// A host record naming an interface not under management (a
	// temporary one made primary) names no primary.
	if err := s.UpdateHost(func(h *Host) { h.Primary = "eth2" }); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadStartup(s); err != nil || got.Primary != "" {
		t.Fatalf("startup with an unmanaged primary = %+v, %v; want no primary", got, err)
	}
}

// failingHost is a store whose host record cannot be read.
type failingHost struct{ *Store }

var errHost = errors.New("host record unreadable")

func (failingHost) LoadHost() (*Host, error) { return nil, errHost }

// A host record that cannot be read is the start-up's error; what is
// returned still answers Owned.
func TestReadStartupError(t *testing.T) {
	s, _ := open(t)
	got, err := ReadStartup(failingHost{s})
	if !errors.Is(err, errHost) {
		t.Fatalf("err = %v, want %v", err, errHost)
	}
	if got.Owned("eth0") || len(got.Managed) != 0 {
		t.Fatalf("startup after an error = %+v", got)
	}
}
