package actors

import (
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/hostplan"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// flagsAndRoutes asserts that of eth0 and eth1, both bound, want alone
// says PRIMARY and has its routes at the primary's metric.
func (w *world) flagsAndRoutes(want string) {
	w.t.Helper()
	for name, index := range map[string]int{"eth0": 2, "eth1": 3} {
		st := w.do(ipc.CmdStatus, name).Status
		if st == nil || contains(st.Flags, "PRIMARY") != (name == want) {
			w.t.Errorf("%s status %+v, want PRIMARY %v", name, st, name == want)
		}
		metric := 1000 + index
		if name == want {
			metric = hostplan.PrimaryMetric
		}
		// Applied off the actor: a resume is answered to nobody.
		waitFor(w.t, name+"'s routes at their metric", func() bool {
			c, _ := w.net.LastApplied(index)
			return c.Metric == metric
		})
	}
}

// The primary stays through its actor's restart, its link's deletion and
// return, a SIGHUP and the agent's stop and restart.
func TestPrimaryThroughDisturbances(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	w.bind("eth1", 120)
	w.flagsAndRoutes("eth0")
	w.do(ipc.CmdPanic, "eth0")
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	w.flagsAndRoutes("eth0")
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	if r := w.do(ipc.CmdStatus, ""); len(r.Statuses) != 1 {
		t.Fatalf("status of all while eth0 is gone = %+v", r)
	}
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	s = w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	w.flagsAndRoutes("eth0")
	w.system.Root.Send(w.mgr, &messages.Reconfigure{})
	w.flagsAndRoutes("eth0")
	w.shutdown(w.mgr, false)
	w.drainRecords()
	w.kill()
	w = newWorldWith(t, fast, w.store, w.net)
	for range 2 {
		s := w.send.next(t)
		w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	}
	waitFor(t, "both BOUND", func() bool {
		return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" && w.do(ipc.CmdStatus, "eth1").Status.State == "BOUND"
	})
	w.flagsAndRoutes("eth0")
	w.primaryEverywhere("eth0")
}

// Two start --primary at once: one is primary everywhere.
func TestTwoStartPrimaryAtOnce(t *testing.T) {
	for range 20 {
		w := newWorld(t, fast)
		ch0 := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}})
		ch1 := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth1", Args: map[string]string{ipc.ArgPrimary: "yes"}})
		for acks := 0; acks < 2; {
			m := w.send.next(t).msg
			if m.MessageType() == dhcpv4.MessageTypeDiscover {
				w.serve(m, dhcpv4.MessageTypeOffer, 120)
				continue
			}
			w.serve(m, dhcpv4.MessageTypeAck, 120)
			acks++
		}
		w.await(ch0)
		w.await(ch1)
		r := w.do(ipc.CmdStart, "")
		want, _, _ := strings.Cut(r.Message, ":")
		w.flagsAndRoutes(want)
		w.primaryEverywhere(want)
		if t.Failed() {
			return
		}
	}
}

// A FAILED primary: commands without IF reach it, a start without IF
// retries it, still primary, and its drop ends the primary, in the host
// record too.
func TestFailedPrimaryDropped(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	for i := 0; i <= maxRestarts; i++ {
		w.do(ipc.CmdPanic, "eth0")
		if i < maxRestarts {
			expectReboot(t, w.send.next(t))
		}
	}
	waitFor(t, "FAILEDIF", func() bool { return w.do(ipc.CmdPing, "").Error == ipc.ErrFailedIf })
	ch := w.ask(0, ipc.CmdStart, "")
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	if r := w.await(ch); r.Error != "" {
		t.Fatalf("start of the FAILED primary = %+v", r)
	}
	w.bind("eth1", 120)
	w.flagsAndRoutes("eth0")
	if r := w.do(ipc.CmdDrop, ""); r.Error != "" {
		t.Fatalf("drop of the primary = %+v", r)
	}
	w.primaryEverywhere("")
}

// The release of the primary ends it.
func TestReleasedPrimary(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	w.bind("eth1", 120)
	if r := w.do(ipc.CmdRelease, ""); r.Error != "" {
		t.Fatalf("release of the primary = %+v", r)
	}
	w.primaryEverywhere("")
}

// A start --primary refused (PEND, a link without a hardware address, no
// link) moves the primary nowhere.
func TestRefusedStartPrimaryMovesNothing(t *testing.T) {
	w := newWorld(t, "SELECT_WAIT=30\nOFFER_WAIT=0\nARP_PROBE=no\n")
	primary := func(name string) *ipc.Request {
		return &ipc.Request{Command: ipc.CmdStart, Ifname: name, Args: map[string]string{ipc.ArgPrimary: "yes"}}
	}
	w.askReq(primary("eth0"))
	w.ask(0, ipc.CmdStart, "eth1")
	waitFor(t, "both starts pending", func() bool {
		r := w.do(ipc.CmdStatus, "")
		return len(r.Statuses) == 2 && contains(r.Statuses[0].Flags, "BUSY") && contains(r.Statuses[1].Flags, "BUSY")
	})
	if r := w.await(w.askReq(primary("eth1"))); r.Error != ipc.ErrPend {
		t.Fatalf("start --primary of eth1 = %+v, want PEND", r)
	}
	for _, name := range []string{"tun0", "nosuch"} {
		if r := w.await(w.askReq(primary(name))); r.Error == "" {
			t.Fatalf("start --primary of %s = %+v, want refused", name, r)
		}
	}
	for name, want := range map[string]bool{"eth0": true, "eth1": false} {
		if st := w.do(ipc.CmdStatus, name).Status; st == nil || contains(st.Flags, "PRIMARY") != want {
			t.Errorf("%s status %+v, want PRIMARY %v", name, st, want)
		}
	}
	w.primaryEverywhere("eth0")
}

// The primary's link goes, another takes the role, and the link comes
// back: the old primary resumes as a plain interface.
func TestPrimaryTakenWhileLinkGone(t *testing.T) {
	w := newWorld(t, fast)
	w.startPrimary("eth0")
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrUnkIf {
		t.Fatalf("ping without IF while the primary's link is gone = %+v, want UNKIF", r)
	}
	w.startPrimary("eth1")
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	w.flagsAndRoutes("eth1")
	w.primaryEverywhere("eth1")
}
