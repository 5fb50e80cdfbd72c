package store

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWrongEntriesSetAside: each damage a state dir can hold is set aside
// and reported, the record taken as absent without an error and without
// blocking (a FIFO) or reading without end (/dev/zero), and a new record
// can be written in its place.
func TestWrongEntriesSetAside(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plant  func(t *testing.T, path string) // path: leases/eth0.json
		reason string
	}{
		{"directory", func(t *testing.T, path string) {
			must(t, os.MkdirAll(filepath.Join(path, "inside"), 0o700))
		}, "not a regular file"},
		{"FIFO", func(t *testing.T, path string) { must(t, syscall.Mkfifo(path, 0o600)) }, "not a regular file"},
		{"symlink to /dev/zero", func(t *testing.T, path string) { must(t, os.Symlink("/dev/zero", path)) }, "symbolic link"},
		{"symlink to a valid record", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "eth0.json")
			must(t, os.WriteFile(other, validLease(t), 0o600))
			must(t, os.Symlink(other, path))
		}, "symbolic link"},
		{"device", func(t *testing.T, path string) {
			must(t, syscall.Mknod(path, syscall.S_IFCHR|0o600, int(devNull(t))))
		}, ""},
		{"oversized", func(t *testing.T, path string) {
			f, err := os.Create(path)
			must(t, err)
			must(t, f.Truncate(maxLease+1))
			must(t, f.Close())
		}, "over the limit"},
		{"writable by others", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, validLease(t), 0o600))
			must(t, os.Chmod(path, 0o666))
		}, "writable by other users"},
		{"owned by another user", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, validLease(t), 0o600))
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Skip("cannot chown:", err)
			}
		}, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, problems := open(t)
			path := filepath.Join(s.Dir(), leaseDir, "eth0.json")
			tc.plant(t, path)
			done := make(chan struct{})
			var l *Lease
			var err error
			go func() { defer close(done); l, err = s.LoadLease("eth0") }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("LoadLease blocked")
			}
			if l != nil || err != nil {
				t.Fatalf("LoadLease = %v, %v; want absent", l, err)
			}
			if len(*problems) != 1 || !strings.HasPrefix((*problems)[0], "eth0.json.corrupt-") || !strings.Contains((*problems)[0], tc.reason) {
				t.Fatalf("problems %q, want eth0.json set aside for %q", *problems, tc.reason)
			}
			if _, err := os.Lstat(path); !os.IsNotExist(err) {
				t.Fatal("the entry is still in place")
			}
			if ps := s.Problems("eth0"); len(ps) != 1 || ps[0].Ifname != "eth0" || ps[0].Aside == "" {
				t.Fatalf("Problems(eth0) = %+v", ps)
			}
			if n := s.Counts()[KindSetAside]; n != 1 {
				t.Fatalf("set_aside counted %d times", n)
			}
			if ps := s.Problems("eth1"); len(ps) != 0 {
				t.Fatalf("Problems(eth1) = %+v; eth0's record is not eth1's problem", ps)
			}
			if err := s.SaveLease(record(t)); err != nil {
				t.Fatal(err)
			}
			if l, _ := s.LoadLease("eth0"); l == nil {
				t.Fatal("the new record does not load")
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func devNull(t *testing.T) uint64 {
	var st syscall.Stat_t
	must(t, syscall.Stat("/dev/null", &st))
	return st.Rdev
}

func validLease(t *testing.T) []byte {
	s, _ := open(t)
	must(t, s.SaveLease(record(t)))
	b, err := os.ReadFile(filepath.Join(s.Dir(), leaseDir, "eth0.json"))
	must(t, err)
	return b
}

// TestWrongTypeDirectoriesAndHost: host.json a directory, leases and
// interfaces files: Open sets them aside and makes the directories, the
// host record reads as empty (a new DUID gets written), and the agent's
// records are written and read back.
func TestWrongTypeDirectoriesAndHost(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, hostFile, "x"), 0o700))
	must(t, os.WriteFile(filepath.Join(dir, leaseDir), []byte("not a directory"), 0o600))
	must(t, os.Symlink("/", filepath.Join(dir, ifDir)))
	var problems []string
	s := reopen(t, dir, &problems)
	h, err := s.LoadHost()
	if err != nil || h.DUID != "" {
		t.Fatalf("LoadHost = %+v, %v", h, err)
	}
	if len(problems) != 3 {
		t.Fatalf("problems %q, want leases, interfaces and host.json set aside", problems)
	}
	for _, want := range []string{"leases.corrupt-", "interfaces.corrupt-", "host.json.corrupt-"} {
		if !strings.Contains(strings.Join(problems, "\n"), want) {
			t.Errorf("no %s in %q", want, problems)
		}
	}
	must(t, s.UpdateHost(func(h *Host) { h.DUID = "0004aabb" }))
	must(t, s.SaveLease(record(t)))
	must(t, s.UpdateInterface("eth0", func(r *Interface) { r.Managed = true }))
	again := reopen(t, dir, &problems)
	if h, _ := again.LoadHost(); h.DUID != "0004aabb" {
		t.Fatalf("host record after repair: %+v", h)
	}
	if m, _ := again.Managed(); len(m) != 1 || m[0] != "eth0" {
		t.Fatalf("managed after repair: %v", m)
	}
	if l, _ := again.LoadLease("eth0"); l == nil {
		t.Fatal("lease after repair not read")
	}
	if len(problems) != 3 {
		t.Fatalf("the repaired dir reports %q", problems[3:])
	}
}

// TestInsecureStateDirRefused: a state dir another user could write, even
// sticky, or that another user owns, is refused with a clear error.
func TestInsecureStateDirRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode os.FileMode
		uid  int
		want string
	}{
		{"group-writable", 0o770, -1, "writable by other users"},
		{"world-writable sticky", 0o777 | os.ModeSticky, -1, "writable by other users"},
		{"another user's", 0o700, 65534, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			must(t, os.Mkdir(dir, 0o700))
			must(t, os.Chmod(dir, tc.mode))
			if tc.uid >= 0 {
				if err := os.Chown(dir, tc.uid, tc.uid); err != nil {
					t.Skip("cannot chown:", err)
				}
			}
			s, err := Open(dir, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("Open = %v, %v; want refused for %q naming the directory", s, err, tc.want)
			}
		})
	}
	// A directory above it that others could write (not sticky), or that
	// another user owns, is refused too: they could swap the state dir.
	above := filepath.Join(t.TempDir(), "above")
	must(t, os.Mkdir(above, 0o700))
	must(t, os.Chmod(above, 0o777))
	if _, err := Open(filepath.Join(above, "state"), nil); err == nil || !strings.Contains(err.Error(), above+" (mode -rwxrwxrwx) is writable by other users") {
		t.Fatalf("Open under a 0777 directory = %v, want refused", err)
	}
	must(t, os.Chmod(above, 0o777|os.ModeSticky))
	if _, err := Open(filepath.Join(above, "state2"), nil); err != nil {
		t.Fatalf("Open under a sticky directory: %v", err)
	}
	// A 0755 directory of ours is fine: others may read it, not write it.
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o755))
	if _, err := Open(dir, nil); err != nil {
		t.Fatalf("0755 state dir refused: %v", err)
	}
}

// TestStateDirLinkChainRefused: the state dir is resolved one name at a
// time (fstrust.Walk) and everything on the way is checked: a symbolic
// link half-way along a chain, in a directory others can write or another
// user owns, or a link another user owns, could be repointed by that user
// to a state dir of their making; a check of the directories above the
// final target sees none of it. A chain of our own links is taken.
func TestStateDirLinkChainRefused(t *testing.T) {
	const nobody = 65534
	for _, tc := range []struct {
		name string
		root bool                           // needs root (chown)
		mid  func(t *testing.T, hop string) // hop: the link half-way
		want string
	}{
		{"via a world-writable directory", false, func(t *testing.T, hop string) {
			must(t, os.Chmod(filepath.Dir(hop), 0o777))
		}, "(mode -rwxrwxrwx) is writable by other users"},
		{"via a directory another user owns", true, func(t *testing.T, hop string) {
			must(t, os.Chown(filepath.Dir(hop), nobody, nobody))
		}, "is owned by uid 65534"},
		{"via a link another user owns", true, func(t *testing.T, hop string) {
			must(t, os.Lchown(hop, nobody, nobody))
		}, "symbolic link HOP is owned by uid 65534"},
		{"through a chain of safe links", false, func(*testing.T, string) {}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Geteuid() != 0 {
				t.Skip("needs root (chown)")
			}
			base := t.TempDir()
			real := filepath.Join(base, "real")
			mid := filepath.Join(base, "mid")
			hop := filepath.Join(mid, "hop")
			state := filepath.Join(base, "state")
			must(t, os.Mkdir(real, 0o700))
			must(t, os.Mkdir(mid, 0o755))
			must(t, os.Symlink(real, hop))
			must(t, os.Symlink(hop, state)) // state -> mid/hop -> real
			tc.mid(t, hop)
			s, err := Open(state, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Open through safe links: %v", err)
				}
				return
			}
			want := strings.ReplaceAll(tc.want, "HOP", hop)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), state) {
				t.Fatalf("Open = %v, %v; want refused for %q naming the state dir", s, err, want)
			}
		})
	}
}

// TestInsecureSubdirSetAside: a leases directory others can write holds
// records nobody can trust: set aside and made again, empty.
func TestInsecureSubdirSetAside(t *testing.T) {
	s, _ := open(t)
	must(t, s.SaveLease(record(t)))
	must(t, os.Chmod(filepath.Join(s.Dir(), leaseDir), 0o777))
	var problems []string
	again := reopen(t, s.Dir(), &problems)
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "leases.corrupt-") {
		t.Fatalf("problems %q", problems)
	}
	if l, _ := again.LoadLease("eth0"); l != nil {
		t.Fatal("a record from an insecure directory was read")
	}
	fi, err := os.Stat(filepath.Join(s.Dir(), leaseDir))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("leases made again: %v, %v", fi, err)
	}
}

// TestTempFilesSwept: the temporary files a kill -9 leaves during writes
// are removed at Open; the records beside them are untouched.
func TestTempFilesSwept(t *testing.T) {
	s, _ := open(t)
	must(t, s.SaveLease(record(t)))
	must(t, s.UpdateHost(func(h *Host) { h.DUID = "00" }))
	must(t, s.UpdateInterface("eth0", func(r *Interface) { r.Managed = true }))
	left := []string{".host.json.tmp-123", filepath.Join(leaseDir, ".eth0.json.tmp-456"), filepath.Join(ifDir, ".eth0.json.tmp-789")}
	for _, name := range left {
		must(t, os.WriteFile(filepath.Join(s.Dir(), name), []byte(`{"half`), 0o600))
	}
	keep := filepath.Join(s.Dir(), "notes.txt") // not ours: left alone
	must(t, os.WriteFile(keep, nil, 0o600))
	var problems []string
	again := reopen(t, s.Dir(), &problems)
	for _, name := range left {
		if _, err := os.Lstat(filepath.Join(s.Dir(), name)); !os.IsNotExist(err) {
			t.Errorf("%s not swept", name)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Error("a file that is not a temporary file was removed")
	}
	if l, _ := again.LoadLease("eth0"); l == nil {
		t.Error("the lease record went with the sweep")
	}
	if m, _ := again.Managed(); len(m) != 1 {
		t.Errorf("managed %v", m)
	}
	if len(problems) != 0 {
		t.Errorf("problems %q", problems)
	}
}

// TestCorruptInterfaceRecordKeepsLease: an interface record that must be
// set aside does not cost the interface its lease: with a lease record
// beside it, it is resumed as managed, and its record written again.
// Without a lease record it is not resumed.
func TestCorruptInterfaceRecordKeepsLease(t *testing.T) {
	s, _ := open(t)
	must(t, s.SaveLease(record(t)))
	for _, name := range []string{"eth0", "eth1"} {
		must(t, s.UpdateInterface(name, func(r *Interface) { r.Managed = true }))
	}
	for _, name := range []string{"eth0", "eth1"} {
		must(t, os.WriteFile(filepath.Join(s.Dir(), ifFile(name)), []byte("{\"ifname\":"), 0o600))
	}
	var problems []string
	again := reopen(t, s.Dir(), &problems)
	m, err := again.Managed()
	if err != nil || len(m) != 1 || m[0] != "eth0" {
		t.Fatalf("managed = %v, %v; want eth0 (it has a lease), not eth1", m, err)
	}
	if c := again.Counts(); c[KindRecovered] != 1 || c[KindSetAside] != 2 {
		t.Fatalf("counts %v", c)
	}
	if len(problems) != 3 || !strings.Contains(strings.Join(problems, "\n"), "eth0.json: interface record lost; the interface has a lease record, so it is resumed as managed") {
		t.Fatalf("problems %q", problems)
	}
	// Written again by Managed: a third agent reads it without a word.
	var none []string
	third := reopen(t, s.Dir(), &none)
	if m, _ := third.Managed(); len(m) != 1 || m[0] != "eth0" || len(none) != 0 {
		t.Fatalf("after the rewrite: managed %v, problems %q", m, none)
	}
}

// TestFailingWrites: a state dir that takes no writes (read-only, full)
// never stops the store: the records are kept in memory, the failure is
// reported once and is the store's condition in Problems until a write
// succeeds, and the unchanged record is written then.
func TestFailingWrites(t *testing.T) {
	s, problems := open(t)
	full := errors.New("no space left on device")
	createTemp = func(string, string) (*os.File, error) { return nil, full }
	defer func() { createTemp = os.CreateTemp }()
	if err := s.UpdateHost(func(h *Host) { h.DUID = "0004aabb" }); !errors.Is(err, full) {
		t.Fatalf("UpdateHost = %v", err)
	}
	if err := s.UpdateInterface("eth0", func(r *Interface) { r.Managed = true }); !errors.Is(err, full) {
		t.Fatalf("UpdateInterface = %v", err)
	}
	if h, _ := s.LoadHost(); h.DUID != "0004aabb" {
		t.Fatalf("the host record in memory: %+v", h)
	}
	if m, _ := s.Managed(); len(m) != 1 {
		t.Fatalf("managed in memory %v", m)
	}
	if len(*problems) != 1 || !strings.Contains((*problems)[0], "cannot write the state dir") {
		t.Fatalf("problems %q, want the failure once", *problems)
	}
	if c := s.Counts(); c[KindWriteFail] != 2 || c[KindSetAside] != 0 || len(c) != len(Kinds) {
		t.Fatalf("counts %v, want both failing writes counted and every kind present", c)
	}
	if ps := s.Problems("eth7"); len(ps) != 1 || !strings.Contains(ps[0].Reason, "no space") {
		t.Fatalf("Problems(eth7) = %+v; a failing disk concerns every interface", ps)
	}
	createTemp = os.CreateTemp
	// Unchanged, but never written: written now.
	must(t, s.UpdateHost(func(h *Host) { h.DUID = "0004aabb" }))
	must(t, s.UpdateInterface("eth0", func(r *Interface) { r.Managed = true }))
	if ps := s.Problems("eth7"); len(ps) != 2 || !strings.Contains(ps[1].Reason, "succeed again") {
		t.Fatalf("Problems(eth7) after recovery = %+v", ps)
	}
	var none []string
	again := reopen(t, s.Dir(), &none)
	if h, _ := again.LoadHost(); h.DUID != "0004aabb" {
		t.Fatalf("host record on disk %+v", h)
	}
	if m, _ := again.Managed(); len(m) != 1 {
		t.Fatalf("managed on disk %v", m)
	}
}

// TestMissingStateDirUnmakeable: a state dir that cannot even be made
// still gives a store, empty, its problem reported.
func TestMissingStateDirUnmakeable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, nil, 0o600))
	var problems []string
	s := reopen(t, filepath.Join(file, "state"), &problems)
	if h, err := s.LoadHost(); err != nil || h.DUID != "" {
		t.Fatalf("LoadHost %+v %v", h, err)
	}
	if m, err := s.Managed(); err != nil || len(m) != 0 {
		t.Fatalf("Managed %v %v", m, err)
	}
	if len(problems) == 0 || !strings.Contains(problems[0], "unusable") {
		t.Fatalf("problems %q", problems)
	}
	if ps := s.Problems(""); len(ps) == 0 {
		t.Fatal("no host-wide problem")
	}
}

// TestProblemsBounded: however many problems, the store keeps the latest
// few per interface and of the host.
func TestProblemsBounded(t *testing.T) {
	s, _ := open(t)
	for i := 0; i < 100; i++ {
		s.report(Problem{File: ifFile("eth0"), Reason: "r"})
		s.report(Problem{Reason: "h"})
	}
	if n := len(s.Problems("eth0")); n != keepPerIface+keepHost {
		t.Fatalf("%d problems kept", n)
	}
	for i := 0; i < keepIfaces+10; i++ {
		s.report(Problem{Ifname: "if" + strconv.Itoa(i), Reason: "r"})
	}
	if n := len(s.ifProbs); n != keepIfaces {
		t.Fatalf("problems kept for %d interfaces", n)
	}
}
