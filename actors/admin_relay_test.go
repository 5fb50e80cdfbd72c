package actors

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestRefreshAddrKeepsTheLeaseStatus: refresh-addr of a DHCP object
// answers as extend does, with the renewed lease's status, not a bare OK.
func TestRefreshAddrKeepsTheLeaseStatus(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth0/d",
		ipc.ArgType: "dhcp"}})
	if rep := w.grant(ch, 120); rep.Error != "" {
		t.Fatalf("create-addr -T dhcp = %+v", rep)
	}
	ch = w.askReq(&ipc.Request{Command: ipc.CmdRefreshAddr, Args: map[string]string{ipc.ArgObject: "eth0/d"}})
	renew := w.send.next(t)
	expectType(t, renew, dhcpv4.MessageTypeRequest)
	w.serve(renew.msg, dhcpv4.MessageTypeAck, 300)
	rep := w.await(ch)
	if rep.Error != "" {
		t.Fatalf("refresh-addr = %+v", rep)
	}
	s := rep.Status
	if s == nil || s.Ifname != "eth0" || s.State != "BOUND" || s.Address != "198.18.0.100" || s.Prefix != 24 || s.Expires == nil {
		t.Fatalf("refresh-addr status = %+v, want eth0 BOUND 198.18.0.100/24 with an expiry", s)
	}
}

// TestCreateAddrOnAStartedInterfaceKeepsTheStatus: a DHCP object created
// on an interface already started (RUNNING, taken as success) answers with
// the interface's status too.
func TestCreateAddrOnAStartedInterfaceKeepsTheStatus(t *testing.T) {
	w := newWorld(t, fast)
	if rep := w.bind("eth0", 120); rep.Error != "" {
		t.Fatalf("start = %+v", rep)
	}
	rep := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth0/d", ipc.ArgType, "dhcp")
	if rep.Error != "" {
		t.Fatalf("create-addr on a bound interface = %+v", rep)
	}
	if s := rep.Status; s == nil || s.State != "BOUND" || s.Address != "198.18.0.100" {
		t.Fatalf("create-addr status = %+v, want BOUND 198.18.0.100", s)
	}
}
