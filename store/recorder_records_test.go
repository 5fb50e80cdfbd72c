package store

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// The lease record a recorder builds: wall-clock UTC times, and the first
// ACK's time kept across renewals of the same lease, also by a recorder
// that reads it from the disk (a restarted agent), and taken anew when
// the first ACK changes (a new lease).
func TestRecorderSetLeaseOf(t *testing.T) {
	st, _ := open(t)
	r := NewRecorder(st, "eth0", nil)
	first, renewal := ack(t), ack(t)
	renewal.TransactionID = dhcpv4.TransactionID{1, 2, 3, 4}
	t1 := time.Now() // with a monotonic reading, which a record never holds
	t2 := t1.Add(5 * time.Minute)
	began := t2.Add(-time.Second)
	r.SetLeaseOf("198.18.0.100/24", first, first, t1.Add(-time.Second), t1)
	r.SetLeaseOf("198.18.0.100/24", first, renewal, began, t2)
	waitFor(t, r.Idle)
	got, err := st.LoadLease("eth0")
	if err != nil || got == nil {
		t.Fatalf("record %+v, %v", got, err)
	}
	want := &Lease{Ifname: "eth0", Address: "198.18.0.100/24", FirstACK: Encode(first), FirstACKTime: t1.Round(0).UTC(),
		ACK: Encode(renewal), ACKTime: t2.Round(0).UTC(), Began: began.Round(0).UTC()}
	if *got != *want {
		t.Fatalf("record\n%+v, want\n%+v", got, want)
	}
	if got.FirstACKTime.Location() != time.UTC || got.FirstACKTime != t1.Round(0).UTC() {
		t.Fatalf("first ACK time %v, want wall-clock UTC", got.FirstACKTime)
	}
	// A new agent's recorder reads the record from the disk to keep it.
	cold := NewRecorder(st, "eth0", nil)
	t3 := t2.Add(5 * time.Minute)
	cold.SetLeaseOf("198.18.0.100/24", first, renewal, t3, t3)
	waitFor(t, cold.Idle)
	if got, _ := st.LoadLease("eth0"); got.FirstACKTime != want.FirstACKTime || got.ACKTime != t3.Round(0).UTC() {
		t.Fatalf("after a cold renewal: first %v, ack %v", got.FirstACKTime, got.ACKTime)
	}
	// A new lease (another first ACK) counts from its own.
	other := ack(t)
	other.YourIPAddr = net.IPv4(198, 18, 0, 101)
	t4 := t3.Add(time.Hour)
	cold.SetLeaseOf("198.18.0.101/24", other, other, t4, t4)
	waitFor(t, cold.Idle)
	if got, _ := st.LoadLease("eth0"); got.FirstACKTime != t4.Round(0).UTC() || got.Address != "198.18.0.101/24" {
		t.Fatalf("a new lease: %+v", got)
	}
	// Without a store nothing is built or written.
	NewRecorder(nil, "eth1", nil).SetLeaseOf("198.18.0.100/24", first, first, t1, t1)
	if got, _ := st.LoadLease("eth1"); got != nil {
		t.Fatalf("written without a store: %+v", got)
	}
}

// Manage records the interface under management with the IAID it first
// got, kept after, and the host's primary: set by the primary, cleared
// by the primary leaving management and by a temporary primary.
func TestRecorderManage(t *testing.T) {
	st, _ := open(t)
	eth0, eth1 := NewRecorder(st, "eth0", nil), NewRecorder(st, "eth1", nil)
	iaid := func(v uint32) func() uint32 { return func() uint32 { return v } }
	check := func(what, name string, managed bool, iaid uint32, primary string) {
		t.Helper()
		waitFor(t, eth0.Idle)
		waitFor(t, eth1.Idle)
		rec, err := st.Interface(name)
		if err != nil || rec.Managed != managed || (iaid == 0) != (rec.IAID == nil) || (rec.IAID != nil && *rec.IAID != iaid) {
			t.Fatalf("%s: %s record %+v, %v; want managed %v, IAID %d", what, name, rec, err, managed, iaid)
		}
		if h, _ := st.LoadHost(); h.Primary != primary {
			t.Fatalf("%s: primary %q, want %q", what, h.Primary, primary)
		}
	}
	eth0.Manage(st, true, true, iaid(7))
	check("primary managed", "eth0", true, 7, "eth0")
	eth0.Manage(st, true, true, iaid(9))
	check("managed again, MAC changed", "eth0", true, 7, "eth0")
	eth1.Manage(st, true, false, nil)
	check("second, no IAID", "eth1", true, 0, "eth0")
	eth1.Manage(st, false, false, iaid(3))
	check("second unmanaged", "eth1", false, 0, "eth0")
	eth0.Manage(st, false, true, iaid(9))
	check("primary unmanaged", "eth0", false, 7, "")
	eth1.Manage(st, true, true, iaid(3))
	check("new primary", "eth1", true, 3, "eth1")
	eth0.Manage(st, true, false, iaid(9))
	check("managed again, not the primary", "eth0", true, 7, "eth1")
	eth0.Primary(st)
	check("made primary while running", "eth0", true, 7, "eth0")
	eth1.Manage(st, false, true, nil)
	check("temporary primary", "eth1", false, 3, "")
	eth0.Primary(nil) // no store: nothing queued, nothing written
}

// PrimaryLeft sets a host record that still names the interface to the
// primary of the time it is written, and leaves one naming another as it
// is.
func TestRecorderPrimaryLeft(t *testing.T) {
	st, _ := open(t)
	eth0 := NewRecorder(st, "eth0", nil)
	primary := func(want string) {
		t.Helper()
		waitFor(t, eth0.Idle)
		if h, _ := st.LoadHost(); h.Primary != want {
			t.Fatalf("primary %q, want %q", h.Primary, want)
		}
	}
	eth0.Manage(st, true, true, nil)
	eth0.PrimaryLeft(st, func() string { return "eth1" })
	primary("eth1")
	eth0.PrimaryLeft(st, func() string { return "eth3" })
	primary("eth1")
}

// heldReads is the store with lease reads a test holds, counted.
type heldReads struct {
	*Store
	asked   chan struct{}
	release chan struct{}
	loads   atomic.Int32
}

func (s *heldReads) LoadLease(ifname string) (*Lease, error) {
	if s.loads.Add(1) == 1 {
		close(s.asked)
		<-s.release
	}
	return s.Store.LoadLease(ifname)
}

// Preload reads the record on the recorder's queue, once: LoadLease then
// reads memory. A record asked for while the read is out wins over what
// the read finds, and is what the disk gets (no race with the first
// write). With the record in memory, or no store, it queues nothing.
func TestRecorderPreload(t *testing.T) {
	st, _ := open(t)
	old := record(t)
	if err := st.SaveLease(old); err != nil {
		t.Fatal(err)
	}
	disk := &heldReads{Store: st, asked: make(chan struct{}), release: make(chan struct{})}
	r := NewRecorder(disk, "eth0", nil)
	loaded := make(chan struct{})
	if !r.Preload(func() { close(loaded) }) {
		t.Fatal("a cold recorder queued no read")
	}
	<-disk.asked // the read is out, on the recorder's goroutine
	renewed := record(t)
	renewed.Address = "198.18.0.101/24"
	r.SetLease(renewed)
	close(disk.release)
	select {
	case <-loaded:
	case <-time.After(5 * time.Second):
		t.Fatal("loaded never ran")
	}
	waitFor(t, r.Idle)
	if l, _ := r.LoadLease(); l == nil || l.Address != "198.18.0.101/24" {
		t.Fatalf("LoadLease = %+v, want the record asked for during the read", l)
	}
	if l, _ := st.LoadLease("eth0"); l == nil || l.Address != "198.18.0.101/24" {
		t.Fatalf("on disk %+v, want the record asked for", l)
	}
	if n := disk.loads.Load(); n != 1 {
		t.Fatalf("%d disk reads, want 1", n)
	}
	if r.Preload(func() { t.Error("loaded ran with the record in memory") }) {
		t.Fatal("a read queued with the record in memory")
	}
	// Cold, with nothing written meanwhile, the read fills memory.
	cold := NewRecorder(st, "eth0", nil)
	done := make(chan struct{})
	cold.Preload(func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the cold recorder's read never ended")
	}
	if cold.Preload(func() {}) {
		t.Fatal("the preloaded record is not in memory")
	}
	if NewRecorder(nil, "eth0", nil).Preload(func() { t.Error("loaded ran without a store") }) {
		t.Fatal("a read queued without a store")
	}
}

// slowReads is the store with lease reads held until the test releases
// them, as a failing disk would hold them.
type slowReads struct {
	*Store
	reads   atomic.Int32
	release chan struct{}
}

func (s *slowReads) LoadLease(ifname string) (*Lease, error) {
	s.reads.Add(1)
	<-s.release
	return s.Store.LoadLease(ifname)
}

// SetLeaseOf never reads the disk on its caller's goroutine (an actor's
// Receive), even when the recorder does not hold the record (after a
// failed write, or a cold recorder): the first ACK's time is taken from
// the disk's record on the recorder's queue, before the write.
func TestRecorderSetLeaseOfReadsOffCaller(t *testing.T) {
	st, _ := open(t)
	first, renewal := ack(t), ack(t)
	renewal.TransactionID = dhcpv4.TransactionID{1, 2, 3, 4}
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.SaveLease(&Lease{Ifname: "eth0", Address: "198.18.0.100/24", FirstACK: Encode(first),
		FirstACKTime: t1, ACK: Encode(first), ACKTime: t1, Began: t1}); err != nil {
		t.Fatal(err)
	}
	disk := &slowReads{Store: st, release: make(chan struct{})}
	r := NewRecorder(disk, "eth0", nil)
	t2 := t1.Add(time.Hour)
	returned := make(chan struct{})
	go func() {
		r.SetLeaseOf("198.18.0.100/24", first, renewal, t2, t2)
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		close(disk.release)
		t.Fatal("SetLeaseOf waited for a disk read on its caller's goroutine")
	}
	if l, err := r.LoadLease(); err != nil || l == nil || l.ACK != Encode(renewal) {
		t.Fatalf("LoadLease while the write is queued = %+v, %v; want the record asked for", l, err)
	}
	close(disk.release)
	waitFor(t, r.Idle)
	got, err := st.LoadLease("eth0")
	if err != nil || got == nil || got.FirstACKTime != t1 || got.ACKTime != t2 {
		t.Fatalf("on disk %+v, %v; want the first ACK's time %v kept, the ACK's %v", got, err, t1, t2)
	}
	if l, _ := r.LoadLease(); l == nil || l.FirstACKTime != t1 {
		t.Fatalf("LoadLease once written = %+v; want the first ACK's time kept", l)
	}
	// A new first ACK (another lease) counts from its own, read off the
	// caller too.
	r2 := NewRecorder(disk, "eth0", nil)
	other := ack(t)
	other.YourIPAddr = net.IPv4(198, 18, 0, 101)
	t3 := t2.Add(time.Hour)
	r2.SetLeaseOf("198.18.0.101/24", other, other, t3, t3)
	waitFor(t, r2.Idle)
	if got, _ := st.LoadLease("eth0"); got == nil || got.FirstACKTime != t3 {
		t.Fatalf("a new lease on disk: %+v, want its first ACK's time %v", got, t3)
	}
}

// unwritableHost is a store whose host record cannot be written.
type unwritableHost struct{ *Store }

func (unwritableHost) UpdateHost(func(*Host)) error { return errors.New("disk full") }

// Unmanage records the interface out of management, and out of being the
// host's primary if it was (as Manage does), and hands the outcome to its
// caller instead of logging it; without a store it succeeds.
func TestRecorderUnmanage(t *testing.T) {
	st, _ := open(t)
	eth0, eth1 := NewRecorder(st, "eth0", nil), NewRecorder(st, "eth1", nil)
	eth0.Manage(st, true, true, nil)
	eth1.Manage(st, true, false, nil)
	// Two recorders, two queues: eth1's Unmanage below must not overtake
	// eth0's Manage, which makes eth0 the primary it checks for.
	waitFor(t, eth0.Idle)
	waitFor(t, eth1.Idle)
	unmanage := func(r *Recorder, st ManagedRecords) error {
		t.Helper()
		done := make(chan error, 1)
		r.Unmanage(st, func(err error) { done <- err })
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("done never ran")
			return nil
		}
	}
	for _, tc := range []struct {
		what    string
		r       *Recorder
		st      ManagedRecords
		wantErr bool
		primary string
	}{
		{"not the primary", eth1, st, false, "eth0"},
		{"host record unwritable", eth0, unwritableHost{st}, true, "eth0"},
		{"the primary", eth0, st, false, ""},
		{"no store", NewRecorder(nil, "eth2", nil), nil, false, ""},
	} {
		if err := unmanage(tc.r, tc.st); (err != nil) != tc.wantErr {
			t.Fatalf("%s: Unmanage: %v, want error %v", tc.what, err, tc.wantErr)
		}
		if h, _ := st.LoadHost(); h.Primary != tc.primary {
			t.Fatalf("%s: primary %q, want %q", tc.what, h.Primary, tc.primary)
		}
	}
	for _, name := range []string{"eth0", "eth1"} {
		if rec, _ := st.Interface(name); rec.Managed {
			t.Fatalf("%s still managed: %+v", name, rec)
		}
	}
}
