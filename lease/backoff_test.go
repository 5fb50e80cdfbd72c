package lease

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// backoffWaits are the waits before the DISCOVER after each failure in a
// row (SPEC §2): at once, then 4 s doubling to 64 s.
var backoffWaits = []time.Duration{0, 4, 8, 16, 32, 64, 64}

// checkBackoff drives m through failures in a row: fail(xid, at) makes
// transaction xid fail at at and returns the actions of the failing event.
// After each, the next DISCOVER must leave at once or after the backoff,
// and nothing be sent meanwhile.
func checkBackoff(t *testing.T, m *Machine, waits []time.Duration, fail func(xid uint32, at time.Duration) ([]string, time.Duration)) {
	t.Helper()
	at := time.Duration(0)
	run(t, m, []step{{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}}})
	for i, wait := range waits {
		xid := uint32(i + 1)
		got, failedAt := fail(xid, at)
		at = failedAt
		next := sprintf("send DISCOVER xid=%d secs=0", xid+1)
		if wait == 0 {
			if !slices.Contains(got, next) {
				t.Fatalf("failure %d: %v, want a DISCOVER at once", i+1, got)
			}
			continue
		}
		if want := sprintf("arm wait at %v", at+wait*time.Second); !slices.Contains(got, want) || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "send D") }) {
			t.Fatalf("failure %d: %v, want %q and no DISCOVER", i+1, got, want)
		}
		at += wait * time.Second
		if got := describeAll(m.Handle(t0.Add(at), Timeout{Wait})); !slices.Contains(got, next) {
			t.Fatalf("after the wait of failure %d: %v, want a DISCOVER", i+1, got)
		}
	}
}

// TestUnusableAckBacksOff: a server that offers well and ACKs a lease time
// of 0 fails each exchange at once, and the client backs off; the ACK
// never becomes an address.
func TestUnusableAckBacksOff(t *testing.T) {
	m := newMachine(&fakeRand{})
	checkBackoff(t, m, backoffWaits, func(xid uint32, at time.Duration) ([]string, time.Duration) {
		m.Handle(t0.Add(at), offer(xid))
		got := describeAll(m.Handle(t0.Add(at), ack(xid, leaseTime(0))))
		if got[0] != "refused zero_lease_time" || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "apply") }) {
			t.Fatalf("ACK of 0 s: %v, want it refused and nothing applied", got)
		}
		return got, at
	})
	if n := m.Status().Counters.Refused[ReasonZeroLease]; n != uint64(len(backoffWaits)) {
		t.Fatalf("%d refused, want %d", n, len(backoffWaits))
	}
}

// TestUnusableAckTriesNextOffer: with offers collected, an unusable ACK
// moves on to the next server's offer at once.
func TestUnusableAckTriesNextOffer(t *testing.T) {
	m := New(Config{HWAddr: hw, OfferWait: time.Second}, &fakeRand{})
	other := net.IPv4(198, 18, 0, 2)
	m.Handle(t0, Start{})
	m.Handle(t0.Add(100*time.Millisecond), offer(1))
	m.Handle(t0.Add(200*time.Millisecond), offer(1, dhcpv4.WithServerIP(other), dhcpv4.WithOption(dhcpv4.OptServerIdentifier(other)),
		dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101))))
	m.Handle(t0.Add(time.Second), Timeout{Wait})
	got := describeAll(m.Handle(t0.Add(1100*time.Millisecond), ack(1, leaseTime(0))))
	want := "send REQUEST xid=1 secs=0 req=198.18.0.101 sid=198.18.0.2"
	if !slices.Contains(got, want) {
		t.Fatalf("unusable ACK: %v, want %q", got, want)
	}
}

// TestDeclinesBackOff: declines in a row wait RFC 2131's 10 s, then the
// backoff once it is longer.
func TestDeclinesBackOff(t *testing.T) {
	m := New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{})
	waits := []time.Duration{10, 10, 10, 16, 32, 64, 64}
	at := time.Duration(0)
	m.Handle(t0, Start{})
	for i, wait := range waits {
		xid := m.Status().XID // the DECLINEs take xids too
		m.Handle(t0.Add(at), offer(xid))
		m.Handle(t0.Add(at), ack(xid))
		got := describeAll(m.Handle(t0.Add(at), ARPSeen{SenderHW: net.HardwareAddr{2, 9, 9, 9, 9, 9}, SenderIP: mustAddr("198.18.0.100")}))
		if want := sprintf("arm wait at %v", at+wait*time.Second); !slices.Contains(got, want) {
			t.Fatalf("decline %d: %v, want %q", i+1, got, want)
		}
		at += wait * time.Second
		m.Handle(t0.Add(at), Timeout{Wait})
	}
	if n := m.Status().Counters.Refused[ReasonDecline]; n != uint64(len(waits)) {
		t.Fatalf("%d declines counted, want %d", n, len(waits))
	}
}

// TestOneSecondLeasesBackOff: a 1 s lease is too short to renew; each one
// that runs out counts as a failure, so a server granting only such leases
// draws a trickle, not an exchange a second. Each is applied with its
// lifetime and removed at expiry.
func TestOneSecondLeasesBackOff(t *testing.T) {
	m := newMachine(&fakeRand{})
	checkBackoff(t, m, backoffWaits, func(xid uint32, at time.Duration) ([]string, time.Duration) {
		m.Handle(t0.Add(at), offer(xid, leaseTime(1)))
		if got := describeAll(m.Handle(t0.Add(at), ack(xid, leaseTime(1)))); !slices.Contains(got, sprintf("arm expire at %v", at+time.Second)) {
			t.Fatalf("1 s lease: %v, want it bound with its expiry in 1 s", got)
		}
		at += time.Second
		got := describeAll(m.Handle(t0.Add(at), Timeout{Expire}))
		if !slices.Contains(got, "notify EXPIRE") {
			t.Fatalf("expiry: %v, want EXPIRE", got)
		}
		return got, at
	})
}

// TestLeaseExpiredBeforeUse: a 3 s lease outlived by the RFC 5227 probe
// is refused, never applied (it would be an address without time left),
// and the client starts over.
func TestLeaseExpiredBeforeUse(t *testing.T) {
	m := New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{})
	m.Handle(t0, Start{})
	m.Handle(t0, offer(1, leaseTime(3)))
	m.Handle(t0, ack(1, leaseTime(3)))
	var got []string
	for at := time.Duration(0); m.State() == PreBound && at < time.Minute; at += 100 * time.Millisecond {
		got = append(got, describeAll(m.Handle(t0.Add(at), Timeout{Probe}))...)
	}
	if !slices.Contains(got, "refused expired_before_use") || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "apply") }) {
		t.Fatalf("%v: want the lease refused as expired, nothing applied", got)
	}
	if st := m.Status(); st.State != Selecting || st.Lease != nil {
		t.Fatalf("status %+v, want SELECTING without a lease", st)
	}
}
