//go:build integration

package integration

// Store faults (issue 12): a damaged state dir never stops the agent; it
// runs, says so in the log and in status, and loses no valid lease; a state
// dir another user could write is refused with a clear error.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// warnStatus is a status with its warnings.
type warnStatus struct {
	fullStatus
	Warnings []struct {
		Time    time.Time `json:"time"`
		Message string    `json:"message"`
	} `json:"warnings"`
}

func (s warnStatus) warned(part string) bool {
	for _, w := range s.Warnings {
		if strings.Contains(w.Message, part) {
			return true
		}
	}
	return false
}

// sfStatus asks the status of the client interface, within 3 s: a FIFO or
// a link to /dev/zero in the state dir must never hang it.
func sfStatus(t *testing.T, lab *Lab) warnStatus {
	t.Helper()
	var st warnStatus
	start := time.Now()
	if err := lab.CtlJSON(&st, "status", ClientIface); err != nil {
		t.Fatalf("status: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("status took %v", d)
	}
	return st
}

// TestStoreDamagedDirStarts: host.json a directory and leases a file, the
// agent starts, sets both aside, binds, and status warns of both.
func TestStoreDamagedDirStarts(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true})
	if err := os.MkdirAll(filepath.Join(lab.StateDir, "host.json", "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lab.StateDir, "leases"), []byte("a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	lab.StartAgent()
	startBound(t, lab, svBindWait)
	st := sfStatus(t, lab)
	if !st.warned("host.json") || !st.warned("leases") {
		t.Errorf("status warnings %+v, want host.json and leases set aside", st.Warnings)
	}
	for _, name := range []string{"host.json", "leases"} {
		if aside, _ := filepath.Glob(filepath.Join(lab.StateDir, name+".corrupt-*")); len(aside) != 1 {
			t.Errorf("%s set aside as %v, want one", name, aside)
		}
	}
	if _, err := os.Stat(lab.svLeaseFile(ClientIface)); err != nil {
		t.Errorf("lease record after binding: %v", err)
	}
}

// TestStoreWrongTypeRecord: the lease record of a managed interface
// replaced by a FIFO or a symbolic link to /dev/zero: the restarted agent
// answers status at once, sets the entry aside and binds afresh.
func TestStoreWrongTypeRecord(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"fifo", "devzero"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: Dnsmasq})
			startBound(t, lab, svBindWait)
			if err := lab.StopAgent(); err != nil {
				t.Fatalf("agent after SIGTERM: %v", err)
			}
			file := lab.svLeaseFile(ClientIface)
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			var err error
			if kind == "fifo" {
				err = syscall.Mkfifo(file, 0o600)
			} else {
				err = os.Symlink("/dev/zero", file)
			}
			if err != nil {
				t.Fatal(err)
			}
			lab.StartAgent()
			sfStatus(t, lab)
			st := waitStatus(t, lab, 20*time.Second, "BOUND afresh", func(s fullStatus) error {
				if s.State != "BOUND" || !lab.InPool(s.addr()) {
					return fmt.Errorf("want BOUND on a pool address")
				}
				return nil
			})
			t.Logf("bound on %v", st.addr())
			if w := sfStatus(t, lab); !w.warned("leases/"+ClientIface+".json") || !w.warned("set aside") {
				t.Errorf("status warnings %+v, want the lease record set aside", w.Warnings)
			}
			if fi, err := os.Lstat(file); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("lease record after binding afresh: %v, %v", fi, err)
			}
		})
	}
}

// TestStoreCorruptInterfaceRecordResumes: a garbage interface record
// beside a valid lease: the restarted agent resumes the interface with no
// command, by INIT-REBOOT onto the same address.
func TestStoreCorruptInterfaceRecordResumes(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	c := lab.StartCapture()
	mac := lab.ClientMAC()
	st := startBound(t, lab, svBindWait)
	addr := st.addr()
	if err := lab.StopAgent(); err != nil {
		t.Fatalf("agent after SIGTERM: %v", err)
	}
	rec := filepath.Join(lab.StateDir, "interfaces", ClientIface+".json")
	if err := os.WriteFile(rec, []byte("{\"ifname\": \x00garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	mark := time.Now()
	lab.StartAgent()
	c.WaitForPacket(t, 5*time.Second, "INIT-REBOOT REQUEST after the restart", func(p Packet) bool {
		return p.Time.After(mark) && svIsReboot(p, mac.String(), addr)
	})
	waitStatus(t, lab, 10*time.Second, "BOUND on the same address", func(s fullStatus) error {
		if s.State != "BOUND" || s.addr() != addr {
			return fmt.Errorf("want BOUND on %v", addr)
		}
		return nil
	})
	if w := sfStatus(t, lab); !w.warned("resumed as managed") {
		t.Errorf("status warnings %+v, want the lost record said", w.Warnings)
	}
	if !lab.svManaged(ClientIface) {
		t.Error("the interface record was not written again")
	}
}

// TestStoreReadOnlyDir: a read-only state dir without host.json (a
// read-only bind mount in the agent's own mount namespace): the agent
// starts, binds, and status says writes fail.
func TestStoreReadOnlyDir(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	// Made beforehand: a read-only dir cannot grow them.
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true})
	for _, d := range []string{"leases", "interfaces"} {
		if err := os.MkdirAll(filepath.Join(lab.StateDir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	lab.opts.AgentWrap = []string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"`, lab.StateDir}
	lab.StartAgent()
	bindsWithoutWrites(t, lab)
}

// bindsWithoutWrites checks an agent whose state dir takes no writes: it
// binds, status says the writes fail, and no host.json is seen in the
// state dir (the agent's mount namespace hides what it is given).
func bindsWithoutWrites(t *testing.T, lab *Lab) {
	t.Helper()
	startBound(t, lab, svBindWait)
	if w := sfStatus(t, lab); !w.warned("cannot write the state dir") {
		t.Errorf("status warnings %+v, want the failing writes said", w.Warnings)
	}
	if _, err := os.Stat(filepath.Join(lab.StateDir, "host.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("host.json in the state dir: %v", err)
	}
}

// TestStoreInsecureDirRefused: a state dir others can write, or another
// user owns, is refused: the agent exits non-zero naming it.
func TestStoreInsecureDirRefused(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true})
	agentBin, _ := findBinaries(t)
	for _, tc := range []struct {
		name string
		mode os.FileMode
		uid  int
		want string
	}{
		{"world-writable", 0o777, -1, "writable by other users"},
		{"another user's", 0o700, 65534, "owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			if err := os.Mkdir(state, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(state, tc.mode); err != nil {
				t.Fatal(err)
			}
			if tc.uid >= 0 {
				if err := os.Chown(state, tc.uid, tc.uid); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, "ip", "netns", "exec", lab.ClientNS, agentBin,
				"--socket", filepath.Join(dir, "agent.sock"), "--state-dir", state, "--config", "/dev/null").CombinedOutput()
			ee, ok := errors.AsType[*exec.ExitError](err)
			if !ok || ee.ExitCode() <= 0 || ctx.Err() != nil {
				t.Fatalf("agent on a %s state dir: %v, want a non-zero exit:\n%s", tc.name, err, out)
			}
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), state) {
				t.Errorf("agent's message lacks %q or the dir:\n%s", tc.want, out)
			}
		})
	}
}
