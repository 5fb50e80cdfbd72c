//go:build integration

package integration

// The proof of the IPC contract (issue 4): privilege from SO_PEERCRED,
// the socket's life and the exit statuses here; the per-state rules, info
// and watch in ipc_rules_test.go; malformed, oversize and many requests
// in ipc_load_test.go. Harness: ipc_lab_test.go (agentctl as another
// user, error codes), ipc_wire_test.go (a raw client), ipc_watch_test.go.

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ipcObserved is what an unprivileged command must leave alone: the
// interface's status, the kernel's addresses and routes, the server's
// leases, the ipadm objects and their store.
type ipcObserved struct {
	Status    fullStatus
	Addrs     []netip.Prefix
	Routes    []Route
	Leases    []ServerLease
	Ifs       []ifRow
	AddrObjs  []addrRow
	IPAdmFile string
}

func observe(t *testing.T, lab *Lab) ipcObserved {
	t.Helper()
	var o ipcObserved
	if err := lab.CtlJSON(&o.Status, "status", ClientIface); err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, a := range lab.ClientAddrs() {
		o.Addrs = append(o.Addrs, a.Prefix) // lifetimes count down
	}
	o.Routes = lab.ClientRoutes()
	o.Leases = lab.ServerLeases()
	o.Ifs, o.AddrObjs = lab.ShowIf(), lab.ShowAddr()
	o.IPAdmFile = lab.IPAdmFile()
	return o
}

// TestIPCUnprivileged: with the socket in a directory the agent creates
// (the lab's directories opened for traversal only, see openForOthers),
// user nobody may ask status, ping, info, show-if, show-addr and watch (and
// sees the events of an extend given by root);
// every command that changes something answers PERM (exit status and JSON
// error) and changes nothing: not the interface's status and counters,
// not the kernel, not the server's lease, not the ipadm objects. The agent
// logs each command with uid 65534.
func TestIPCUnprivileged(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq, NoAgent: true,
		DNS: []netip.Addr{netip.MustParseAddr("198.18.0.53")}})
	lab.Socket = filepath.Join(lab.Dir, "run", "agent.sock")
	openForOthers(t, lab.Dir)
	lab.StartAgent()
	checkSocketFile(t, lab)

	st := startBound(t, lab, "5")
	if r := lab.CtlRoot("-o", "json", "create-addr", "-T", "static", "-a", "198.18.7.7/24", ClientIface+"/s"); r.Code != 0 {
		t.Fatalf("%v", r)
	}

	// watch: the events of an extend (given by root) reach nobody's watch.
	w := lab.StartWatch(asNobody, nobodyUID)
	if r := lab.CtlRoot("extend", ClientIface); r.Code != 0 {
		t.Fatalf("%v", r)
	}
	waitUntil(t, 5*time.Second, "the EXTEND event in nobody's watch", func() error {
		evs, err := w.Events()
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Kind == "event" && e.Event == "EXTEND" {
				return nil
			}
		}
		return fmt.Errorf("events so far: %+v", evs)
	})
	if stderr, err := w.Interrupt(); err != nil {
		t.Errorf("unprivileged agentctl watch: %v: %s", err, stderr)
	}

	before := observe(t, lab)
	since := lab.LogSize()

	// Allowed.
	var got fullStatus
	r := lab.CtlAs(asNobody, "-o", "json", "status", ClientIface)
	if r.Code != 0 || jsonUnmarshal(r.Stdout, &got) != nil || got.State != "BOUND" || got.Address != st.Address {
		t.Errorf("%v; want BOUND on %s", r, st.Address)
	}
	var all []fullStatus
	r = lab.CtlAs(asNobody, "-o", "json", "status")
	if r.Code != 0 || jsonUnmarshal(r.Stdout, &all) != nil || len(all) != 1 || all[0].Ifname != ClientIface {
		t.Errorf("%v; want an array of %s", r, ClientIface)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ping", ClientIface}, "OK\n"},
		{[]string{"info", "-i", ClientIface, "router"}, router + "\n"},
		{[]string{"info", "-i", ClientIface, "dns"}, "198.18.0.53\n"},
		{[]string{"info", "-i", ClientIface, "-c", "router"}, "c6120001\n"},
		{[]string{"show-if", "-p", "-o", "ifname,state"}, ClientIface + ":ok\n"},
		{[]string{"show-addr", "-p", "-o", "addrobj,addr"}, ClientIface + "/s:198.18.7.7/24\n"},
	} {
		if r := lab.CtlAs(asNobody, c.args...); r.Code != 0 || r.Stdout != c.want {
			t.Errorf("%v; want exit 0 and %q", r, c.want)
		}
	}
	var ifs []ifRow
	if r := lab.CtlAs(asNobody, "-o", "json", "show-if"); r.Code != 0 || jsonUnmarshal(r.Stdout, &ifs) != nil || len(ifs) != 1 {
		t.Errorf("%v; want one interface", r)
	}

	// Refused.
	obj := ClientIface + "/s"
	refused := [][]string{
		{"start", ClientIface, "--wait", "5"},
		{"start", ClientIface, "--primary"},
		{"drop", ClientIface},
		{"release", ClientIface},
		{"extend", ClientIface},
		{"inform", ClientIface},
		{"create-if", "lo"},
		{"delete-if", ClientIface},
		{"enable-if", ClientIface},
		{"disable-if", ClientIface},
		{"create-addr", "-T", "static", "-a", "198.18.9.9/24", ClientIface + "/t"},
		{"create-addr", "-T", "dhcp", "-w", "5", "lo/d"},
		{"delete-addr", obj},
		{"delete-addr", "-r", obj},
		{"refresh-addr", obj},
		{"refresh-addr", "-i", obj},
	}
	for _, args := range refused {
		checkFails(t, lab, lab.CtlAs(asNobody, append([]string{"-o", "json"}, args...)...), "PERM")
	}
	if diff := cmp.Diff(before, observe(t, lab), equateNetip, cmp.AllowUnexported(fullStatus{})); diff != "" {
		t.Errorf("state changed by refused commands (-before +after):\n%s", diff)
	}

	// Logged with the caller's uid: the allowed ones and every refusal.
	counts := map[string]int{}
	for _, c := range lab.Commands(since) {
		if c.UID != nil && *c.UID == nobodyUID {
			counts[c.Command]++
		}
	}
	want := map[string]int{"status": 2, "ping": 1, "info": 3, "show-if": 2, "show-addr": 1}
	for _, args := range refused {
		want[args[0]]++
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("commands logged with uid %d (-want +got):\n%s", nobodyUID, diff)
	}
}

// checkSocketFile checks what the agent made of the socket's directory
// and file: a directory it created, which others can traverse, and a
// socket of mode 0666.
func checkSocketFile(t *testing.T, lab *Lab) {
	t.Helper()
	dir, err := os.Stat(filepath.Dir(lab.Socket))
	if err != nil || !dir.IsDir() || dir.Mode().Perm()&0o005 != 0o005 {
		t.Errorf("socket directory %s: %v, %v; want a directory others can traverse", filepath.Dir(lab.Socket), dir.Mode(), err)
	}
	fi, err := os.Lstat(lab.Socket)
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o666 {
		t.Errorf("socket %s: mode %v, %v; want a socket of mode 0666", lab.Socket, fi.Mode(), err)
	}
}

// TestIPCAdminGroup: with ADMIN_GROUP=users, user nobody may give every
// command when "users" is its primary or one of its supplementary groups
// (SO_PEERCRED, SO_PEERGROUPS), and still gets PERM without it.
func TestIPCAdminGroup(t *testing.T) {
	t.Parallel()
	g, err := user.LookupGroup(usersName)
	if err != nil {
		t.Skipf("no group %q to use as ADMIN_GROUP: %v", usersName, err)
	}
	asNobodyInUsers := []string{"--reuid=65534", "--regid=65534", "--groups=" + g.Gid}
	asNobodyUsersPrimary := []string{"--reuid=65534", "--regid=" + g.Gid, "--clear-groups"}
	lab := newLab(t, LabOptions{Server: Dnsmasq, AgentConfig: "ADMIN_GROUP=" + usersName})
	openForOthers(t, lab.Dir)

	checkFails(t, lab, lab.CtlAs(asNobody, "-o", "json", "start", ClientIface, "--wait", "5"), "PERM")
	var st fullStatus
	r := lab.CtlAs(asNobodyInUsers, "-o", "json", "start", ClientIface, "--wait", "5")
	if r.Code != 0 || jsonUnmarshal(r.Stdout, &st) != nil || st.State != "BOUND" || !lab.ClientHasAddr(st.addr()) {
		t.Fatalf("start by a supplementary member of %s: %v; want BOUND with the address applied", usersName, r)
	}
	checkFails(t, lab, lab.CtlAs(asNobody, "-o", "json", "drop", ClientIface), "PERM")
	if r := lab.CtlAs(asNobodyUsersPrimary, "-o", "json", "drop", ClientIface); r.Code != 0 || lab.ClientHasAddr(st.addr()) {
		t.Fatalf("drop by a member of %s by primary group: %v; want the address gone", usersName, r)
	}
	obj := ClientIface + "/s"
	if r := lab.CtlAs(asNobodyInUsers, "create-addr", "-t", "-T", "static", "-a", "198.18.7.7/24", obj); r.Code != 0 ||
		!lab.ClientHasAddr(netip.MustParseAddr("198.18.7.7")) {
		t.Fatalf("create-addr by a member of %s: %v; want 198.18.7.7 applied", usersName, r)
	}
	if r := lab.CtlAs(asNobodyUsersPrimary, "delete-addr", obj); r.Code != 0 || lab.ClientHasAddr(netip.MustParseAddr("198.18.7.7")) {
		t.Fatalf("delete-addr by a member of %s: %v; want 198.18.7.7 gone", usersName, r)
	}
}

// TestIPCStaleSocket: after kill -9 the socket file stays and agentctl
// says the agent is not running; a new agent replaces the stale file and
// serves; a second agent on the live socket is refused and leaves it alone.
func TestIPCStaleSocket(t *testing.T) {
	t.Parallel()
	lab := newLab(t, LabOptions{Server: Dnsmasq})
	st := startBound(t, lab, "5")
	lab.KillAgent()
	fi, err := os.Lstat(lab.Socket)
	if err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("socket after kill -9: %v, %v; want the stale socket file", fi, err)
	}
	r := lab.CtlRoot("-o", "json", "status")
	if r.Code != 2 || !strings.Contains(r.Stderr, "agent is not running at "+lab.Socket) {
		t.Errorf("%v; want exit 2, agent is not running at %s", r, lab.Socket)
	}

	lab.StartAgent()
	checkSocketFile(t, lab)
	waitStatus(t, lab, 5*time.Second, "the lease adopted", func(s fullStatus) error {
		if s.State != "BOUND" || s.Address != st.Address {
			return fmt.Errorf("want BOUND on %s", st.Address)
		}
		return nil
	})

	agentBin, _ := findBinaries(t)
	second := exec.Command("ip", "netns", "exec", lab.ClientNS, agentBin,
		"--socket", lab.Socket, "--state-dir", t.TempDir(), "--config", "/dev/null")
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another agent is running on "+lab.Socket) {
		t.Errorf("second agent: %v, %q; want a refusal naming %s", err, out, lab.Socket)
	}
	checkSocketFile(t, lab)
	if r := lab.CtlRoot("ping", ClientIface); r.Code != 0 || r.Stdout != "OK\n" {
		t.Errorf("first agent after the refusal: %v", r)
	}
}

// TestIPCExitCodes: `agentctl exit-codes` lists the statuses of
// docs/agentctl.md.
func TestIPCExitCodes(t *testing.T) {
	t.Parallel()
	_, ctl := findBinaries(t)
	out, err := exec.Command(ctl, "exit-codes").Output()
	if err != nil {
		t.Fatalf("agentctl exit-codes: %v", err)
	}
	got := map[string]int{}
	for line := range strings.SplitSeq(string(out), "\n") {
		if f := reExitLine.FindStringSubmatch(line); f != nil {
			var n int
			fmt.Sscan(f[1], &n)
			got[f[2]] = n
		}
	}
	want := map[string]int{"success": 0, "usage error": 1, "the agent is not running": 2}
	for i, code := range []string{"PERM", "UNKIF", "NOPRIMARY", "OUTSTATE", "RUNNING", "PEND", "TIMEOUT", "BOOTP",
		"FAILEDIF", "PROTO", "INVALID", "SHUTDOWN", "INTERNAL", "EXISTS", "DISABLED_OBJ", "NOLINK", "NOTFOUND", "LIMIT"} {
		want[code] = 10 + i
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("agentctl exit-codes (-docs +agentctl):\n%s", diff)
	}
}
