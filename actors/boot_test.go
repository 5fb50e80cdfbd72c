package actors

import (
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// bootWithDHCPObject binds eth0 through a persistent DHCP address object
// with a host name, stops the agent as kill -9 would, and starts it again
// over the same store and kernel.
func bootWithDHCPObject(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth0/d",
		ipc.ArgType: "dhcp", ipc.ArgHostname: "node9"}})
	if rep := w.grant(ch, 120); rep.Error != "" {
		t.Fatalf("create-addr -T dhcp = %+v", rep)
	}
	w.kill()
	return newWorldWith(t, fast, w.store, w.net)
}

// At boot an interface with a DHCP address object is started once, by
// the object: its INIT-REBOOT carries the object's host name, and no
// second transaction follows it.
func TestBootStartsDHCPObjectOnce(t *testing.T) {
	w := bootWithDHCPObject(t)
	s := w.send.next(t)
	expectReboot(t, s)
	if s.msg.HostName() != "node9" {
		t.Errorf("INIT-REBOOT host name %q, want node9: the interface record started it, not its object", s.msg.HostName())
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	w.send.none(t)
}

// disable-if right after a restart answers OK once the address is gone,
// and nothing in flight brings it back.
func TestBootDisableIfWins(t *testing.T) {
	w := bootWithDHCPObject(t)
	if r := w.adm(ipc.CmdDisableIf, "eth0"); r.Error != "" {
		t.Fatalf("disable-if = %+v", r)
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses when disable-if answered: %v, want none", addrs)
	}
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != ipc.ErrUnkIf {
		t.Fatalf("status after disable-if = %+v, want UNKIF", r)
	}
	// Whatever the boot sent, an answer to it now is for nobody.
	for more := true; more; {
		select {
		case s := <-w.send.out:
			w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
		default:
			more = false
		}
	}
	if addrs, _ := w.net.Addrs(); len(addrs) != 0 {
		t.Fatalf("addresses after the boot's late replies: %v, want none", addrs)
	}
}

// An interface the agent resumes at start-up waits PROBE_WAIT (0-1 s)
// before its first RFC 5227 probe, whether the interface record or a
// persistent DHCP address object starts it; an operator's start probes at
// once (TestProbeConflictDeclines). The kernel lost the address across the
// restart, so the resumed lease is probed, not adopted.
func TestBootProbeWaits(t *testing.T) {
	const probing = "SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=yes\n"
	for _, tc := range []struct {
		name  string
		start func(w *world)
	}{
		{"interface record", func(w *world) { w.bind("eth0", 120) }},
		{"DHCP address object", func(w *world) {
			ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth0/d", ipc.ArgType: "dhcp"}})
			if rep := w.grant(ch, 120); rep.Error != "" {
				t.Fatalf("create-addr -T dhcp = %+v", rep)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, fast)
			tc.start(w)
			w.kill()
			w = newWorldWith(t, probing, w.store, newKernel())
			s := w.send.next(t)
			expectReboot(t, s)
			w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
			waitFor(t, "PRE_BOUND", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "PRE_BOUND" })
			select {
			case p := <-w.send.arp:
				t.Fatalf("probe %+v before PROBE_WAIT", p)
			default:
			}
			w.clock.Advance(time.Second) // PROBE_WAIT at most
			expectProbe(t, w)
		})
	}
}
