package lease

import (
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// FuzzReceived feeds arbitrary server packets to a machine at each stage
// of an exchange. Nothing may panic, and an applied lease is always for a
// usable address with a valid prefix.
func FuzzReceived(f *testing.F) {
	junk121 := dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(route("127.0.0.0/8", "198.18.0.1"),
		route("0.0.0.0/0", "198.18.0.100"), route("198.19.0.0/16", "198.18.0.1")))
	bad121 := dhcpv4.WithGeneric(dhcpv4.OptionClasslessStaticRoute, []byte{33, 1, 2, 3})
	viaHost := dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(route("0.0.0.0/0", fuzzHostAddr.String())))
	for _, e := range []Event{offer(1), ack(1), nak(1), ack(2), offer(1, leaseTime(0xffffffff)),
		ack(1, junk121), ack(1, bad121), ack(1, leaseTime(0)), ack(1, leaseTime(1)), ack(1, viaHost)} {
		f.Add(e.(Received).Msg.ToBytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := dhcpv4.FromBytes(b)
		if err != nil {
			return
		}
		msg.ClientHWAddr = hw // reach the machine's logic, not just the chaddr check
		for _, prefix := range [][]step{acquire[:1], acquire[:2], acquire} {
			for _, probe := range []bool{false, true} {
				m := New(Config{HWAddr: hw, ARPProbe: probe, RapidCommit: true,
					HostAddress: func(a netip.Addr) bool { return a == fuzzHostAddr }}, &fakeRand{})
				for _, s := range prefix {
					m.Handle(t0.Add(s.at), s.ev)
				}
				for _, xid := range []uint32{1, 2} {
					msg.TransactionID = xidBytes(xid)
					now := t0.Add(time.Second)
					for _, a := range m.Handle(now, Received{Msg: msg}) {
						switch a := a.(type) {
						case Apply:
							checkApplied(t, a.Lease, now)
						case Refused:
							if a.Detail == "" {
								t.Fatalf("refusal %v without a detail", a.Reason)
							}
						}
					}
				}
			}
		}
	})
}

// fuzzHostAddr is an address the fuzzed machine's host has on another
// interface: no applied route may go through it.
var fuzzHostAddr = netip.MustParseAddr("198.19.5.1")

// checkApplied fails unless l is fit for the kernel: a usable address with
// a valid prefix, time left unless infinite, and only routes that pass the
// SPEC §2 checks.
func checkApplied(t *testing.T, l *Lease, now time.Time) {
	t.Helper()
	if !usable(l.Addr.Addr()) || !l.Addr.IsValid() || l.Addr.Bits() == 0 {
		t.Fatalf("applied unusable lease %v", l.Addr)
	}
	if !l.Infinite && l.Remaining(now) <= 0 {
		t.Fatalf("applied a lease with no time left: %v from %v", l.Duration, l.Began)
	}
	for _, r := range l.Routes {
		if why := destinationProblem(r.Dst); why != "" {
			t.Fatalf("applied route %v: %s", r.Dst, why)
		}
		if r.Gw.IsValid() {
			if why := gatewayProblem(r.Gw, l.Addr); why != "" {
				t.Fatalf("applied route %v: %s", r.Dst, why)
			}
			if r.Gw == fuzzHostAddr {
				t.Fatalf("applied route %v via the host's address %v", r.Dst, r.Gw)
			}
		}
	}
}
