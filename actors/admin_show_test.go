package actors

import (
	"slices"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/google/go-cmp/cmp"
)

// The listings read the kernel off the admin actor's mailbox: while a
// link's state is slow to come, other administrative commands are
// answered, and the listing is answered once the kernel has.
func TestShowReadsKernelOffReceive(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateIf, "eth0"); r.Error != "" {
		t.Fatalf("create-if eth0 = %+v", r)
	}
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24"); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	asked, release := make(chan string, 4), make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	w.net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "State" && c.Name == "eth0" {
			asked <- c.Name
			<-release
		}
		return nil
	})
	waitAsked := func(what string) {
		t.Helper()
		select {
		case <-asked:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s never read the link's state: the admin actor is stuck", what)
		}
	}
	showIf := w.askReq(&ipc.Request{Command: ipc.CmdShowIf})
	waitAsked("show-if")
	showAddr := w.askReq(&ipc.Request{Command: ipc.CmdShowAddr})
	waitAsked("show-addr")
	if r := w.adm(ipc.CmdCreateIf, "eth1"); r.Error != "" {
		t.Fatalf("create-if eth1 while a listing waits for the kernel = %+v", r)
	}
	close(release)
	r := w.await(showIf)
	if r.Error != "" || !slices.ContainsFunc(r.Interfaces, func(i ipc.IfInfo) bool { return i.Ifname == "eth0" && i.State == "ok" }) {
		t.Fatalf("show-if = %+v, want eth0 ok", r)
	}
	r = w.await(showAddr)
	if r.Error != "" || len(r.Addresses) != 1 || r.Addresses[0].State != "ok" {
		t.Fatalf("show-addr = %+v, want eth0/s ok", r)
	}
}

// A command waits for its ipadm.json write off the admin actor's mailbox:
// while the disk holds the write, show-if and show-addr are answered (from
// the configuration committed so far), the manager binds an interface, and
// a later administrative command waits its turn; once the write is done the
// command is answered and committed, then the next one runs.
func TestSaveIPAdmOffReceive(t *testing.T) {
	w := newWorld(t, fast)
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.9.9/24"); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	asked, release := w.disk.hold("ipadm.json")
	defer release()
	createIf := w.askReq(&ipc.Request{Command: ipc.CmdCreateIf, Ifname: "eth1", Args: map[string]string{}})
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("create-if never wrote ipadm.json")
	}
	deleteIf := w.askReq(&ipc.Request{Command: ipc.CmdDeleteIf, Ifname: "eth1", Args: map[string]string{}})
	if diff := cmp.Diff([]string{"eth0 ok bm--46 46"}, w.showIf()); diff != "" {
		t.Errorf("show-if while ipadm.json is written (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eth0/s static ok UU 198.18.9.9/24"}, w.showAddr()); diff != "" {
		t.Errorf("show-addr while ipadm.json is written (-want +got):\n%s", diff)
	}
	if r := w.bind("eth1", 120); r.Error != "" || r.Status == nil || r.Status.State != "BOUND" {
		t.Fatalf("start eth1 while ipadm.json is written = %+v", r)
	}
	select {
	case r := <-createIf:
		t.Fatalf("create-if answered %+v before its write was done", r)
	case r := <-deleteIf:
		t.Fatalf("delete-if answered %+v before the command ahead of it", r)
	default:
	}
	release()
	if r := w.await(createIf); r.Error != "" {
		t.Fatalf("create-if = %+v", r)
	}
	if r := w.await(deleteIf); r.Error != "" {
		t.Fatalf("delete-if after create-if = %+v", r)
	}
	if diff := cmp.Diff([]string{"eth0 ok bm--46 46"}, w.showIf()); diff != "" {
		t.Errorf("show-if at the end (-want +got):\n%s", diff)
	}
}
