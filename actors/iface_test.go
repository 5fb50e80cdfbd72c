package actors

import (
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/transport"
	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

var (
	leased   = netip.MustParseAddr("198.18.0.100")
	server   = netip.MustParseAddr("198.18.0.1")
	defRoute = kernel.Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: server}
	cmpNetip = cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })}
)

func TestStartBindsAndApplies(t *testing.T) {
	w := newWorld(t, fast)
	r := w.bind("eth0", 120)
	if r.Error != "" || r.Status == nil || r.Status.State != "BOUND" || r.Status.Address != "198.18.0.100" {
		t.Fatalf("start reply %+v", r)
	}
	if r.Status.Expires == nil || r.Status.T1 == nil || r.Status.T2 == nil {
		t.Fatalf("status lacks lease times: %+v", r.Status)
	}
	applied, _ := w.net.Snapshot()
	want := []kernel.AddrConfig{{Ifindex: 2, Addr: netip.PrefixFrom(leased, 24),
		Valid: 120 * time.Second, Preferred: 120 * time.Second, Routes: []kernel.Route{defRoute},
		Metric: 1002}} // 1000 + ifindex: not the primary, no ROUTE_METRIC
	if diff := cmp.Diff(want, applied, cmpNetip); diff != "" {
		t.Fatalf("applied (-want +got):\n%s", diff)
	}
}

func TestRetransmitOnTimer(t *testing.T) {
	w := newWorld(t, fast)
	w.ask(0, ipc.CmdStart, "eth0")
	first := w.send.next(t)
	w.do(ipc.CmdStatus, "eth0")      // a barrier: the retransmission timer is armed
	w.clock.Advance(5 * time.Second) // the first retransmission is due 3-5 s later
	again := w.send.next(t)
	expectType(t, again, dhcpv4.MessageTypeDiscover)
	if again.msg.TransactionID != first.msg.TransactionID || again.msg.NumSeconds != 5 {
		t.Fatalf("retransmission xid %v secs %d, want xid %v secs 5", again.msg.TransactionID, again.msg.NumSeconds, first.msg.TransactionID)
	}
	if first.ifindex != 2 || first.from.IsValid() || first.to.IsValid() {
		t.Fatalf("DISCOVER sent %+v, want a broadcast from 0.0.0.0 on ifindex 2", first)
	}
}

func TestRenewalAtT1IsUnicast(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.clock.Advance(62 * time.Second) // T1: 60 s ±2%
	s := w.send.next(t)
	expectType(t, s, dhcpv4.MessageTypeRequest)
	if s.from != leased || s.to != server || !s.msg.ClientIPAddr.Equal(leased.AsSlice()) ||
		s.msg.Options.Has(dhcpv4.OptionRequestedIPAddress) || s.msg.Options.Has(dhcpv4.OptionServerIdentifier) {
		t.Fatalf("renewal %+v, want unicast %v->%v with ciaddr and no options 50/54", s, leased, server)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	waitFor(t, "the renewed lease applied", func() bool { a, _ := w.net.Snapshot(); return len(a) == 2 })
	if st := w.do(ipc.CmdStatus, "eth0").Status; st.State != "BOUND" {
		t.Fatalf("after renewal: %+v", st)
	}
}

func TestExtend(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	ch := w.ask(0, ipc.CmdExtend, "eth0")
	s := w.send.next(t)
	if s.to != server {
		t.Fatalf("extend sent %+v, want unicast to the server", s)
	}
	stillWaiting(t, ch)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 300)
	if r := w.await(ch); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("extend reply %+v", r)
	}
}

func TestExtendNakRemovesAndStartsOver(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	ch := w.ask(0, ipc.CmdExtend, "eth0")
	s := w.send.next(t)
	w.serve(s.msg, dhcpv4.MessageTypeNak, 0)
	if r := w.await(ch); r.Error != ipc.ErrOutState {
		t.Fatalf("extend after NAK = %+v, want OUTSTATE", r)
	}
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
	applied, removed := w.net.Snapshot()
	if diff := cmp.Diff(applied, removed, cmpNetip); diff != "" {
		t.Fatalf("removed differs from applied (-applied +removed):\n%s", diff)
	}
}

func TestDropRemovesExactlyWhatWasApplied(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	if r := w.do(ipc.CmdDrop, "eth0"); r.Error != "" || r.Status.State != "INIT" {
		t.Fatalf("drop = %+v", r)
	}
	applied, removed := w.net.Snapshot()
	if diff := cmp.Diff(applied, removed, cmpNetip); diff != "" {
		t.Fatalf("removed differs from applied (-applied +removed):\n%s", diff)
	}
	w.send.none(t) // drop sends nothing
	if r := w.do(ipc.CmdStatus, "eth0"); r.Error != ipc.ErrUnkIf {
		t.Fatalf("status after drop = %+v, want UNKIF", r)
	}
	// Started again, it reboots into the kept lease (SPEC §2: DROP keeps
	// the record; START with a valid one goes to INIT-REBOOT).
	ch := w.ask(0, ipc.CmdStart, "eth0")
	s := w.send.next(t)
	expectType(t, s, dhcpv4.MessageTypeRequest)
	if !s.msg.RequestedIPAddress().Equal(leased.AsSlice()) || s.msg.Options.Has(dhcpv4.OptionServerIdentifier) {
		t.Fatalf("INIT-REBOOT REQUEST %v, want option 50 = %v and no 54", s.msg.Summary(), leased)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120)
	if r := w.await(ch); r.Error != "" || r.Status.State != "BOUND" {
		t.Fatalf("start after drop = %+v", r)
	}
}

func TestReleaseIsUnicastThenRemoves(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	if r := w.do(ipc.CmdRelease, "eth0"); r.Error != "" {
		t.Fatalf("release = %+v", r)
	}
	s := w.send.next(t)
	expectType(t, s, dhcpv4.MessageTypeRelease)
	if s.from != leased || s.to != server {
		t.Fatalf("RELEASE %+v, want unicast from the leased address", s)
	}
	if _, removed := w.net.Snapshot(); len(removed) != 1 {
		t.Fatalf("removed %v, want the lease", removed)
	}
}

func TestPendingStartAnsweredOnDrop(t *testing.T) {
	w := newWorld(t, fast)
	ch := w.ask(0, ipc.CmdStart, "eth0")
	w.send.next(t)
	w.do(ipc.CmdDrop, "eth0")
	if r := w.await(ch); r.Error != ipc.ErrOutState {
		t.Fatalf("pending start after drop = %+v, want OUTSTATE", r)
	}
}

func TestCommandErrors(t *testing.T) {
	w := newWorld(t, fast)
	start := w.ask(0, ipc.CmdStart, "eth1") // eth1 is left SELECTING
	w.send.next(t)
	for _, tc := range []struct {
		uid     uint32
		command string
		ifname  string
		want    ipc.Code
	}{
		{0, ipc.CmdStatus, "eth0", ipc.ErrUnkIf},
		{0, ipc.CmdDrop, "eth0", ipc.ErrUnkIf},
		{0, ipc.CmdExtend, "eth0", ipc.ErrUnkIf},
		{0, ipc.CmdStart, "nope", ipc.ErrInvalid},
		{0, ipc.CmdStart, "tun0", ipc.ErrInvalid},
		{0, ipc.CmdStart, "", ipc.ErrNoPrimary},
		{0, "frobnicate", "eth0", ipc.ErrInvalid},
		{1000, ipc.CmdStart, "eth0", ipc.ErrPerm},
		{1000, ipc.CmdDrop, "eth1", ipc.ErrPerm},
		{1000, ipc.CmdRelease, "eth1", ipc.ErrPerm},
		{1000, ipc.CmdExtend, "eth1", ipc.ErrPerm},
		{1000, ipc.CmdInform, "eth1", ipc.ErrPerm},
		{1000, ipc.CmdStatus, "eth1", ""},
		{1000, ipc.CmdPing, "eth1", ""},
		{0, ipc.CmdStart, "eth1", ipc.ErrRunning},
		{0, ipc.CmdExtend, "eth1", ipc.ErrOutState},
		{0, ipc.CmdRelease, "eth1", ipc.ErrOutState},
		{0, ipc.CmdInform, "eth1", ipc.ErrOutState},
	} {
		r := w.await(w.ask(tc.uid, tc.command, tc.ifname))
		if r.Error != tc.want {
			t.Errorf("uid %d %s %q = %q (%s), want %q", tc.uid, tc.command, tc.ifname, r.Error, r.Message, tc.want)
		}
	}
	stillWaiting(t, start)
}

func TestStatusAll(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth1", 120)
	w.ask(0, ipc.CmdStart, "eth0")
	w.send.next(t)
	r := w.do(ipc.CmdStatus, "")
	var got []string
	for _, s := range r.Statuses {
		got = append(got, s.Ifname+" "+s.State)
	}
	if diff := cmp.Diff([]string{"eth0 SELECTING", "eth1 BOUND"}, got); diff != "" {
		t.Fatalf("status of all (-want +got):\n%s", diff)
	}
}

// expectProbe waits for an RFC 5227 probe of the leased address: who-has
// it from 0.0.0.0.
func expectProbe(t *testing.T, w *world) {
	t.Helper()
	select {
	case p := <-w.send.arp:
		if !p.SenderIP.IsUnspecified() || p.TargetIP != leased {
			t.Fatalf("probe %+v, want who-has %v from 0.0.0.0", p, leased)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no ARP probe")
	}
}

func TestProbeConflictDeclines(t *testing.T) {
	w := newWorld(t, "SELECT_WAIT=0\nOFFER_WAIT=0\nARP_PROBE=yes\n")
	ch := w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120)
	expectProbe(t, w)
	if !w.arp.Deliver(2, transport.ARPPacket{Op: 2, SenderHW: hw1, SenderIP: leased, TargetIP: leased}) {
		t.Fatal("ARP not watched while probing")
	}
	decline := w.send.next(t)
	expectType(t, decline, dhcpv4.MessageTypeDecline)
	if got := decline.msg.RequestedIPAddress(); !got.Equal(leased.AsSlice()) {
		t.Fatalf("DECLINE for %v, want %v", got, leased)
	}
	stillWaiting(t, ch)
	if st := w.do(ipc.CmdStatus, "eth0").Status; st.Declined != 1 || st.State != "DECLINING" {
		t.Fatalf("status %+v, want DECLINING with 1 declined", st)
	}
	if applied, _ := w.net.Snapshot(); len(applied) != 0 {
		t.Fatalf("a declined address was applied: %v", applied)
	}
	w.clock.Advance(10 * time.Second)
	expectType(t, w.send.next(t), dhcpv4.MessageTypeDiscover)
}

func TestInform(t *testing.T) {
	w := newWorld(t, fast)
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 2, Prefix: netip.MustParsePrefix("198.18.0.50/24")})
	ch := w.ask(0, ipc.CmdInform, "eth0")
	s := w.send.next(t)
	expectType(t, s, dhcpv4.MessageTypeInform)
	if s.from.String() != "198.18.0.50" || !s.msg.ClientIPAddr.Equal(s.from.AsSlice()) {
		t.Fatalf("INFORM %+v, want from and ciaddr 198.18.0.50", s)
	}
	w.serve(s.msg, dhcpv4.MessageTypeAck, 0, dhcpv4.WithYourIP(nil), dhcpv4.WithoutOption(dhcpv4.OptionIPAddressLeaseTime))
	if r := w.await(ch); r.Error != "" || r.Status.State != "INFORMATION" {
		t.Fatalf("inform = %+v", r)
	}
	if applied, _ := w.net.Snapshot(); len(applied) != 0 {
		t.Fatalf("INFORM applied %v", applied)
	}
}

func TestOfferInOwnedNetworkRefused(t *testing.T) {
	w := newWorld(t, fast)
	// eth1 already has 198.18.0.0/24: an offer in it for eth0 is refused.
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.0.7/24")})
	w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120)
	waitFor(t, "a bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.BadOffers == 1 })
	w.send.none(t)
	// status says why (issue 12), with the server and the address.
	rs := w.do(ipc.CmdStatus, "eth0").Status.Refusals
	if len(rs) != 1 || rs[0].Reason != "address_on_another_interface" || !strings.Contains(rs[0].Detail, "198.18.0.100") ||
		!strings.Contains(rs[0].Detail, "198.18.0.1") || rs[0].Time.IsZero() {
		t.Fatalf("refusals %+v, want the offer's, with its address and server", rs)
	}
}

// waitFor polls cond, for effects that the actors carry out asynchronously.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched() // let the actors run; no sleeping
	}
}

func TestOfferInNetworkOfOurOwnLeaseAccepted(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	// eth1 is offered an address in eth0's leased network: one server, one
	// segment, many NICs. That is no conflict.
	w.ask(0, ipc.CmdStart, "eth1")
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101)))
	expectType(t, w.send.next(t), dhcpv4.MessageTypeRequest)
}
