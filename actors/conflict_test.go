package actors

import (
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// The interfaces resumed at start-up, adopting what is on their links,
// read the host's address list from memory: no dump of the kernel's table
// at all (before the address watch: one dump shared by all, inside a
// Receive).
func TestResumeDoesNoDump(t *testing.T) {
	w := newWorld(t, fast)
	w.bind("eth0", 120)
	w.grant(w.ask(0, ipc.CmdStart, "eth1"), 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101)))
	w.kill()
	dumps := countDumps(w.net)
	w2 := newWorldWith(t, fast, w.store, w.net)
	for range 2 {
		expectType(t, w2.send.next(t), dhcpv4.MessageTypeRequest) // INIT-REBOOT, adopted
	}
	if n := dumps(); n != 0 {
		t.Fatalf("%d address dumps for two resumed interfaces, want none: the table is memory", n)
	}
}

// countDumps counts the dumps of k's address table from now on.
func countDumps(k *kerneltest.Kernel) func() int {
	var mu sync.Mutex
	dumps := 0
	k.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Addrs" {
			mu.Lock()
			dumps++
			mu.Unlock()
		}
		return nil
	})
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return dumps
	}
}

// The conflict check reads the table the kernel's address events keep: an
// address another program put on another link (an event) refuses the
// offer of it at once, and nothing dumps the kernel's table.
func TestConflictCheckDoesNoDump(t *testing.T) {
	w := newWorld(t, fast)
	dumps := countDumps(w.net)
	w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t)
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 3, Prefix: netip.MustParsePrefix("198.18.0.100/24")})
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120) // 198.18.0.100, eth1's now
	waitFor(t, "a bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.BadOffers == 1 })
	w.send.none(t)
	if n := dumps(); n != 0 {
		t.Fatalf("%d address dumps, want none: the conflict check reads memory", n)
	}
}

// A static address an address object puts on a link is refused to a DHCP
// offer at once, not a cache lifetime later.
func TestOfferOfStaticAddressRefused(t *testing.T) {
	w := newWorld(t, fast)
	w.net.SetAddrs(kernel.IfAddr{Ifindex: 1, Prefix: netip.MustParsePrefix("127.0.0.1/8")})
	w.ask(0, ipc.CmdStart, "eth0")
	d := w.send.next(t) // the DISCOVER: the list is not read yet
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.5.5/24"); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	// An offer in another network is taken...
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 7, 7)))
	r := w.send.next(t)
	expectType(t, r, dhcpv4.MessageTypeRequest)
	w.serve(r.msg, dhcpv4.MessageTypeNak, 0)
	d = w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	// ...then the static address is taken off and put on again at once.
	if r := w.adm(ipc.CmdDeleteAddr, "", ipc.ArgObject, "eth1/s"); r.Error != "" {
		t.Fatalf("delete-addr = %+v", r)
	}
	if r := w.adm(ipc.CmdCreateAddr, "", ipc.ArgObject, "eth1/s", ipc.ArgType, "static", ipc.ArgAddress, "198.18.0.100/24"); r.Error != "" {
		t.Fatalf("create-addr = %+v", r)
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120) // 198.18.0.100
	waitFor(t, "a bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth0").Status.BadOffers == 1 })
	w.send.none(t)
}

// An address whose application is queued (the kernel slow to take it) is
// the host's already for every other interface's conflict check: a second
// interface offered it meanwhile refuses it.
func TestAddressBeingAppliedRefusedToAnother(t *testing.T) {
	w := newWorld(t, fast)
	start, release := w.startApplying("eth0", 2, 120) // 198.18.0.100 on its way to eth0
	w.ask(0, ipc.CmdStart, "eth1")
	d := w.send.next(t)
	expectType(t, d, dhcpv4.MessageTypeDiscover)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 100)))
	waitFor(t, "eth1's bad offer counted", func() bool { return w.do(ipc.CmdStatus, "eth1").Status.BadOffers == 1 })
	w.send.none(t)
	release()
	if r := w.await(start); r.Error != "" {
		t.Fatalf("start eth0 = %+v", r)
	}
}
