package store

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func ack(t testing.TB) *dhcpv4.DHCPv4 {
	m, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck), dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100)),
		dhcpv4.WithLeaseTime(600), dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 18, 0, 1))))
	if err != nil {
		t.Fatal(err)
	}
	m.OpCode = dhcpv4.OpcodeBootReply
	return m
}

func record(t testing.TB) *Lease {
	now := time.Date(2026, 11, 23, 20, 0, 0, 123, time.UTC)
	return &Lease{Ifname: "eth0", Address: "198.18.0.100/24", FirstACK: Encode(ack(t)), FirstACKTime: now,
		ACK: Encode(ack(t)), ACKTime: now.Add(time.Minute), Began: now.Add(time.Minute - time.Second)}
}

func open(t *testing.T) (*Store, *[]string) {
	t.Helper()
	var corrupt []string
	return reopen(t, t.TempDir(), &corrupt), &corrupt
}

// reopen opens the store in dir as a new agent would, adding each problem
// reported to *problems as "ASIDE-NAME: REASON" (the file's own name when
// it was not set aside).
func reopen(t testing.TB, dir string, problems *[]string) *Store {
	t.Helper()
	s, err := Open(dir, func(p Problem) {
		name := p.Aside
		if name == "" {
			name = p.File
		}
		*problems = append(*problems, filepath.Base(name)+": "+p.Reason)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLeaseRoundTrip(t *testing.T) {
	s, corrupt := open(t)
	want := record(t)
	if err := s.SaveLease(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadLease("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	first, latest, err := got.Packets()
	if err != nil || !first.YourIPAddr.Equal(net.IPv4(198, 18, 0, 100)) || latest.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("packets %v %v %v", first, latest, err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), leaseDir))
	if len(entries) != 1 || entries[0].Name() != "eth0.json" {
		t.Fatalf("lease directory holds %v, want just eth0.json (no temp files)", entries)
	}
	if err := s.DeleteLease("eth0"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.LoadLease("eth0"); l != nil || err != nil {
		t.Fatalf("after delete: %v, %v", l, err)
	}
	if len(*corrupt) != 0 {
		t.Fatalf("corrupt reports: %v", *corrupt)
	}
}

func TestCorruptRecordsSetAside(t *testing.T) {
	valid, _ := os.ReadFile(filepath.Join(func() string {
		s, _ := open(t)
		_ = s.SaveLease(record(t))
		return s.Dir()
	}(), leaseDir, "eth0.json"))
	for _, tc := range []struct {
		name    string
		content string
	}{
		{"truncated", string(valid[:len(valid)/2])},
		{"not JSON", "garbage"},
		{"bad packet", strings.Replace(string(valid), `"ack": "02`, `"ack": "zz`, 1)},
		{"other interface", strings.Replace(string(valid), `"ifname": "eth0"`, `"ifname": "eth1"`, 1)},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, corrupt := open(t)
			path := filepath.Join(s.Dir(), leaseDir, "eth0.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := s.LoadLease("eth0")
			if l != nil || err != nil {
				t.Fatalf("LoadLease = %v, %v; want absent", l, err)
			}
			if len(*corrupt) != 1 || !strings.HasPrefix((*corrupt)[0], "eth0.json.corrupt-") {
				t.Fatalf("corrupt reports %v", *corrupt)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatal("the corrupt file is still in place")
			}
			// A new record can be written in its place.
			if err := s.SaveLease(record(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHost(t *testing.T) {
	s, corrupt := open(t)
	h, err := s.LoadHost()
	if err != nil || h.DUID != "" {
		t.Fatalf("empty host = %+v, %v", h, err)
	}
	if err := s.UpdateHost(func(h *Host) { h.DUID = "0004aabb"; h.Primary = "eth0" }); err != nil {
		t.Fatal(err)
	}
	again := reopen(t, s.Dir(), corrupt) // a new agent reads what the old one wrote
	h, _ = again.LoadHost()
	if diff := cmp.Diff(&Host{DUID: "0004aabb", Primary: "eth0"}, h); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if b := h.DUIDBytes(); len(b) != 4 {
		t.Fatalf("DUID bytes %x", b)
	}
	os.WriteFile(filepath.Join(s.Dir(), hostFile), []byte(`{"duid":"xyz"}`), 0o600)
	third := reopen(t, s.Dir(), corrupt)
	if h, err := third.LoadHost(); err != nil || h.DUID != "" || len(*corrupt) != 1 {
		t.Fatalf("corrupt host file: %+v, %v, reports %v", h, err, *corrupt)
	}
}

func TestInterfaces(t *testing.T) {
	s, corrupt := open(t)
	seven := uint32(7)
	for _, name := range []string{"eth1", "eth0"} {
		if err := s.UpdateInterface(name, func(r *Interface) { r.Managed = true }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateInterface("eth0", func(r *Interface) { r.IAID = &seven }); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateInterface("eth1", func(r *Interface) { r.Managed = false }); err != nil {
		t.Fatal(err)
	}
	// An unchanged record is not written again.
	before, _ := os.Stat(filepath.Join(s.Dir(), ifDir, "eth0.json"))
	if err := s.UpdateInterface("eth0", func(r *Interface) { r.Managed = true }); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(s.Dir(), ifDir, "eth0.json"))
	if !before.ModTime().Equal(after.ModTime()) {
		t.Error("an unchanged record was rewritten")
	}
	// Garbage next to the records is set aside; a new agent reads the rest.
	os.WriteFile(filepath.Join(s.Dir(), ifDir, "eth9.json"), []byte("{"), 0o600)
	again := reopen(t, s.Dir(), corrupt)
	managed, err := again.Managed()
	if err != nil || !cmp.Equal(managed, []string{"eth0"}) {
		t.Fatalf("managed = %v, %v", managed, err)
	}
	rec, _ := again.Interface("eth0")
	if rec.IAID == nil || *rec.IAID != 7 || !rec.Managed {
		t.Fatalf("eth0 record %+v", rec)
	}
	if rec, _ := again.Interface("eth5"); rec.IAID != nil || rec.Managed {
		t.Fatalf("unknown interface %+v", rec)
	}
	if len(*corrupt) != 1 {
		t.Fatalf("corrupt reports %v", *corrupt)
	}
}

func TestBadNames(t *testing.T) {
	s, _ := open(t)
	for _, name := range []string{"", "../x", "a/b", "..", "sixteen-chars-xx"} {
		if err := s.SaveLease(&Lease{Ifname: name}); err == nil {
			t.Errorf("SaveLease(%q) accepted", name)
		}
	}
}

func TestIPAdmConfig(t *testing.T) {
	s, corrupt := open(t)
	c, err := s.LoadIPAdm()
	if err != nil || len(c.Interfaces) != 0 {
		t.Fatalf("empty = %+v, %v", c, err)
	}
	c.Interfaces["eth0"] = ipadm.Interface{Name: "eth0", Families: []string{ipadm.V4}}
	c.Addresses["eth0/s"] = ipadm.Address{Object: "eth0/s", Ifname: "eth0", Type: ipadm.Static,
		Addr: netip.MustParsePrefix("198.18.0.5/24")}
	if err := s.SaveIPAdm(c); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadIPAdm()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	os.WriteFile(filepath.Join(s.Dir(), ipadmFile), []byte(`{"interfaces":{"a/b":{"name":"a/b","families":["v4"]}}}`), 0o600)
	if c, err := s.LoadIPAdm(); err != nil || len(c.Interfaces) != 0 || len(*corrupt) != 1 {
		t.Fatalf("invalid file: %+v, %v, reports %v", c, err, *corrupt)
	}
}
