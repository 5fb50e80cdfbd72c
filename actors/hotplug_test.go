package actors

import (
	"errors"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// TestDeletedLinkResumesWhenItAppears: a managed interface whose link is
// deleted keeps its record and says so; when a link of that name appears it
// resumes with INIT-REBOOT, no command (SPEC §2 hotplug).
func TestDeletedLinkResumesWhenItAppears(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		r := w.do(ipc.CmdStatus, "eth0")
		return r.Error == ipc.ErrUnkIf && strings.Contains(r.Message, "link is gone")
	})
	if rec, err := w.store.LoadLease("eth0"); err != nil || rec == nil {
		t.Fatalf("lease record after the link went: %v %v", rec, err)
	}
	w.send.none(t)

	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth1", Up: true, Appeared: true}) // not managed
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Appeared: true})
	s := w.send.next(t)
	expectReboot(t, s)
	if s.ifindex != 2 {
		t.Fatalf("INIT-REBOOT on ifindex %d, want eth0's 2", s.ifindex)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	if r := w.do(ipc.CmdStatus, "eth1"); r.Error != ipc.ErrUnkIf {
		t.Fatalf("eth1 appearing made it managed: %+v", r)
	}
	w.send.none(t)
}

// TestDropOfMissingInterface: drop ends the management of an interface
// whose link is gone; its appearing later resumes nothing.
func TestDropOfMissingInterface(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	if r := w.do(ipc.CmdDrop, "eth0"); r.Error != "" {
		t.Fatalf("drop of a missing interface = %+v", r)
	}
	if rec, err := w.store.Interface("eth0"); err != nil || rec.Managed {
		t.Fatalf("record after drop: %+v %v, want not managed", rec, err)
	}
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != ipc.ErrUnkIf || strings.Contains(r.Message, "link is gone") {
		t.Fatalf("status after drop and reappearance = %+v", r)
	}
	w.send.none(t)
}

// TestDropOfMissingPrimary: the drop of a missing primary interface ends
// its being primary in the store too, as any drop does (store.Recorder
// Manage): the next agent has no primary, not one it does not manage,
// which would take commands without IF and make the interface primary
// again at its next plain start.
func TestDropOfMissingPrimary(t *testing.T) {
	w := newWorld(t, fast)
	w.grant(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}}), 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	if r := w.do(ipc.CmdDrop, "eth0"); r.Error != "" {
		t.Fatalf("drop of a missing interface = %+v", r)
	}
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrNoPrimary {
		t.Fatalf("ping without IF after the drop = %+v, want NOPRIMARY", r)
	}
	if h, err := w.store.LoadHost(); err != nil || h.Primary != "" {
		t.Fatalf("host record after the drop: %+v %v, want no primary", h, err)
	}
	w.kill()
	w = newWorldWith(t, fast, w.store, w.net)
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrNoPrimary {
		t.Fatalf("ping without IF after a restart = %+v, want NOPRIMARY", r)
	}
}

// TestDropBeforeLinkDeleted: a drop routed to the interface's actor just
// before its link is deleted ends its management, link or no link: the
// interface is then not managed, not missing (status says not managed,
// and it would not resume when its link appears if its record's write had
// failed).
func TestDropBeforeLinkDeleted(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	// In order in the manager's mailbox: the drop is routed to the actor,
	// then the link's deletion makes the interface missing.
	dropped := w.direct("eth0", messages.Drop{})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	if r := w.result(dropped); r.Code != "" {
		t.Fatalf("drop = %+v", r)
	}
	r := w.do(ipc.CmdStatus, "eth0")
	if r.Error != ipc.ErrUnkIf || strings.Contains(r.Message, "link is gone") {
		t.Fatalf("status after the drop = %+v, want UNKIF, not managed", r)
	}
}

// TestStaleUnmanagedKeepsNewerPrimary: an Unmanaged of an actor that is no
// longer its interface's (its drop was ahead of the link's deletion, and a
// newer actor resumed the interface when its link came back before the
// old one's word arrived) ends nothing of the newer one's: the primary
// stays, as its actor was told.
func TestStaleUnmanagedKeepsNewerPrimary(t *testing.T) {
	w := newWorld(t, fast)
	w.grant(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}}), 120)
	old := w.ifacePID("eth0")
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "eth0 BOUND again", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.State == "BOUND" })
	// The race forced: the old actor's word comes after the newer actor.
	w.system.Root.Send(w.mgr, &messages.Unmanaged{Ifname: "eth0", PID: old})
	if r := w.do(ipc.CmdPing, ""); r.Error != "" {
		t.Fatalf("ping without IF after a stale Unmanaged = %+v, want eth0's answer (the primary)", r)
	}
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("status eth0 = %+v, want BOUND: the newer actor goes on", r)
	}
}

// TestLinkAppearedReadsNoDiskInReceive: whether an interface whose link
// came back is to resume is its interface record's word, read off the
// manager's mailbox (the store reads the directory when the records could
// not be read at start-up): while that read is slow the manager answers
// the other interfaces, and the interface resumes once it is in.
func TestLinkAppearedReadsNoDiskInReceive(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.bind("eth1", 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	asked, release := w.disk.hold("interface eth0")
	defer release()
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	<-asked
	if r := w.do(ipc.CmdStatus, "eth1"); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("status eth1 while eth0's record is read = %+v, want BOUND", r)
	}
	release()
	s := w.send.next(t)
	expectReboot(t, s)
	if s.ifindex != 2 {
		t.Fatalf("INIT-REBOOT on ifindex %d, want eth0's 2", s.ifindex)
	}
}

// TestTemporaryEndsWithItsLink: a temporary DHCP object's interface
// (create-addr -t) is not managed past its link, as illumos drops a
// temporary object whose link goes: once its link is deleted status says
// it is not managed (not that it resumes, which it never would), and the
// link's return resumes nothing. A persistent one waits for its link.
func TestTemporaryEndsWithItsLink(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth1/d",
		ipc.ArgType: "dhcp", ipc.ArgTemporary: "yes"}})
	if r := w.grant(ch, 120); r.Error != "" {
		t.Fatalf("create-addr -t -T dhcp = %+v", r)
	}
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth1", Deleted: true})
	waitFor(t, "eth1 not managed", func() bool {
		r := w.do(ipc.CmdStatus, "eth1")
		return r.Error == ipc.ErrUnkIf && !strings.Contains(r.Message, "link is gone")
	})
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != ipc.ErrUnkIf || !strings.Contains(r.Message, "link is gone") {
		t.Fatalf("status eth0 (persistent) = %+v, want UNKIF, its link gone", r)
	}
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth1", Up: true, Appeared: true})
	if r := w.do(ipc.CmdStatus, "eth1"); r.Error != ipc.ErrUnkIf || strings.Contains(r.Message, "link is gone") {
		t.Fatalf("status eth1 after its link came back = %+v, want UNKIF, not managed", r)
	}
	w.send.none(t)
}

// TestTemporaryPrimaryEndsWithItsLink: a temporary DHCP object made
// primary (create-addr -t -T dhcp --primary) stops being primary when its
// link goes and its management ends with it, as a drop ends it: commands
// without IF answer NOPRIMARY, not UNKIF for an interface not managed,
// and its link's return makes nothing primary again.
func TestTemporaryPrimaryEndsWithItsLink(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.askReq(&ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{ipc.ArgObject: "eth1/d",
		ipc.ArgType: "dhcp", ipc.ArgTemporary: "yes", ipc.ArgPrimary: "yes"}})
	if r := w.grant(ch, 120); r.Error != "" {
		t.Fatalf("create-addr -t -T dhcp --primary = %+v", r)
	}
	if r := w.do(ipc.CmdPing, ""); r.Error != "" {
		t.Fatalf("ping without IF while eth1 is primary = %+v", r)
	}
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth1", Deleted: true})
	waitFor(t, "eth1 not managed", func() bool {
		r := w.do(ipc.CmdStatus, "eth1")
		return r.Error == ipc.ErrUnkIf && !strings.Contains(r.Message, "link is gone")
	})
	if r := w.do(ipc.CmdPing, ""); r.Error != ipc.ErrNoPrimary {
		t.Fatalf("ping without IF once eth1's link is gone = %+v, want NOPRIMARY", r)
	}
	if h, err := w.store.LoadHost(); err != nil || h.Primary != "" {
		t.Fatalf("host record: %+v %v, want no primary", h, err)
	}
}

// TestFailedMissingDropResumesLinkBack: the drop of a missing interface
// whose record cannot be written leaves it managed, waiting for its link,
// as it was; a link of its name that appeared while the write was out
// (which resumed nothing then: the drop had ended its management) resumes
// it once the drop has failed. The manager said "its link is gone" of a
// link that was there, and resumed it only at the link's next deletion
// and return, while the store, unchanged, kept it managed.
func TestFailedMissingDropResumesLinkBack(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0 reported gone", func() bool {
		return strings.Contains(w.do(ipc.CmdStatus, "eth0").Message, "link is gone")
	})
	w.disk.failInterfaces(errors.New("disk full"))
	asked, release := w.disk.hold("eth0")
	defer release()
	drop := w.direct("eth0", messages.Drop{})
	<-asked // the drop's record is being written
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Up: true, Appeared: true})
	// The manager has handled the link's return once it answers this.
	if r := w.result(w.direct("eth1", messages.Ping{})); r.Code != ipc.ErrUnkIf {
		t.Fatalf("ping eth1 = %+v, want UNKIF", r)
	}
	release()
	if r := w.result(drop); r.Code != ipc.ErrInternal {
		t.Fatalf("drop whose record cannot be written = %+v, want INTERNAL", r)
	}
	w.disk.failInterfaces(nil)
	s := w.send.next(t)
	expectReboot(t, s)
	if s.ifindex != 2 {
		t.Fatalf("INIT-REBOOT on ifindex %d, want eth0's 2", s.ifindex)
	}
}

// TestDropAheadOfLinkReturn: a drop routed to the interface's actor just
// before its link is deleted and comes back ends its management, however
// soon the link returns: what the return resumes is read from the record
// once that actor has stopped, every write it asked for queued. eth0's
// actor is held (a status nobody takes yet) with the drop queued behind;
// the manager then sees the deletion and the return. The return's read
// of eth0's record came before the drop's write, said managed, and
// resumed eth0 with a newer actor, which the drop's Unmanaged then did
// not end: the drop was answered OK, the store said not managed, and
// eth0 went on under management.
func TestDropAheadOfLinkReturn(t *testing.T) {
	w := newWorld(t, fast)
	held, dropped := w.dropAheadOfLinkReturn()
	// Whatever the manager does of the return is done before eth0's actor
	// goes on: it has handled the return once it answers a ping; a read
	// of the record it asked for then is done once eth0's recorder has
	// done what was asked before; and a lookup of the link that read led
	// to, then resumed, before a status of eth0, which waits for it.
	w.result(w.direct("eth1", messages.Ping{}))
	read := make(chan struct{})
	w.env.records.Of(w.env.Store, "eth0", nil).Do(func() { close(read) })
	<-read
	w.result(w.direct("eth0", messages.Status{}))
	<-held // eth0's actor goes on: the drop
	if r := w.result(dropped); r.Code != "" {
		t.Fatalf("drop = %+v", r)
	}
	waitFor(t, "eth0 not managed", func() bool {
		r := w.do(ipc.CmdStatus, "eth0")
		return r.Error == ipc.ErrUnkIf && !strings.Contains(r.Message, "link is gone")
	})
	w.send.none(t)
	if rec, err := w.store.Interface("eth0"); err != nil || rec.Managed {
		t.Fatalf("record after the drop: %+v %v, want not managed", rec, err)
	}
}
