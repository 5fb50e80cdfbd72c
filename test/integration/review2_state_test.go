//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Review by attack (h5): the state dir damaged while the agent runs, not
// only before it starts (TestStoreWrongTypeRecord, TestStoreDamagedDirStarts).

// TestReview2StateDamagedWhileRunning: eth-cli bound; its lease record is
// replaced by a directory with a file in it, by a FIFO, or by garbage;
// the agent gets a SIGHUP, eth-cli renews (extend: its record written
// again) and its actor restarts (debug-panic: its record read again).
// eth-cli is BOUND on the same address all along, the restarted actor
// resumes from its record, its address never
// leaves the interface, the record is a regular file again, and the
// agent killed (-9) and started again resumes the lease.
func TestReview2StateDamagedWhileRunning(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"dir", "fifo", "garbage"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lab := newLab(t, LabOptions{Server: Dnsmasq, AgentArgs: []string{"--test-hooks"}})
			st := startBound(t, lab, svBindWait)
			watch := lab.svWatchAddr(ClientIface, st.addr())
			rec := filepath.Join(lab.StateDir, "leases", ClientIface+".json")
			if err := os.Remove(rec); err != nil {
				t.Fatal(err)
			}
			var err error
			switch kind {
			case "dir":
				if err = os.Mkdir(rec, 0o700); err == nil {
					err = os.WriteFile(filepath.Join(rec, "inside"), []byte("x"), 0o600)
				}
			case "fifo":
				err = syscall.Mkfifo(rec, 0o600)
			case "garbage":
				err = os.WriteFile(rec, []byte(`{"ifname":"eth-cli","ack":"zz`), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := lab.agent.signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			var ext fullStatus
			if err := lab.CtlJSON(&ext, "extend", ClientIface); err != nil || ext.State != "BOUND" || ext.Address != st.Address {
				t.Fatalf("extend with the record damaged: %+v, %v", ext, err)
			}
			since := lab.LogSize()
			lab.svPanic(ClientIface)
			lab.svWaitState(10*time.Second, ClientIface, "BOUND", st.addr())
			// Resumed from the record (INIT-REBOOT), not acquired afresh
			// (the same address, by the server's grace, proves nothing).
			if !strings.Contains(lab.AgentLog()[since:], `"msg":"stored lease found","iface":"`+ClientIface+`"`) {
				t.Errorf("the restarted actor did not find its lease record:\n%s", lab.AgentLog()[since:])
			}
			waitUntil(t, 5*time.Second, "the lease record written again", func() error {
				fi, err := os.Lstat(rec)
				if err != nil {
					return err
				}
				if !fi.Mode().IsRegular() {
					return os.ErrInvalid
				}
				return nil
			})
			lab.KillAgent()
			lab.StartAgent()
			lab.svWaitState(10*time.Second, ClientIface, "BOUND", st.addr())
			watch.check(t)
			if lab.agent.exited() {
				t.Fatalf("the agent exited: %v", lab.agent.err)
			}
		})
	}
}
