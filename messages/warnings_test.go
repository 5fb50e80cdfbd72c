package messages

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dhcpagent/dhcpagent/store"
)

// A lease record the store had to set aside shows in its interface's
// status, not in another's; the wire form always carries the list, empty
// when nothing is wrong.
func TestStatusCarriesStoreWarnings(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "leases", "eth0.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := st.LoadLease("eth0"); l != nil || err != nil {
		t.Fatalf("LoadLease of a FIFO = %v, %v", l, err)
	}
	ws := Warnings(st.Problems("eth0"))
	if len(ws) != 1 || !strings.Contains(ws[0].Message, "leases/eth0.json: not a regular file") ||
		!strings.Contains(ws[0].Message, "set aside as leases/eth0.json.corrupt-") || ws[0].Time.IsZero() {
		t.Fatalf("eth0 warnings %+v", ws)
	}
	if ws := Warnings(st.Problems("eth1")); len(ws) != 0 {
		t.Fatalf("eth1 warnings %+v", ws)
	}
	w := IfStatus{Ifname: "eth0", Warnings: ws}.Wire()
	if len(w.Warnings) != 1 || w.Warnings[0].Message != ws[0].Message {
		t.Fatalf("wire warnings %+v", w.Warnings)
	}
	if w := (IfStatus{Ifname: "eth1"}).Wire(); w.Warnings == nil {
		t.Fatal("no warnings is null on the wire, want []")
	}
	if _, err := os.Stat(filepath.Join(dir, "leases", "eth0.json")); !os.IsNotExist(err) {
		t.Fatal("the FIFO is still in place")
	}
}
