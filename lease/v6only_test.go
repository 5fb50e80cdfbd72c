package lease

import (
	"encoding/binary"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func v6Preferred(c *Config) { c.IPv6OnlyPreferred = true }

// v6OnlyOpt is option 108 with V6ONLY_WAIT secs.
func v6OnlyOpt(secs uint32) dhcpv4.Modifier {
	return dhcpv4.WithGeneric(dhcpv4.OptionIPv6OnlyPreferred, binary.BigEndian.AppendUint32(nil, secs))
}

func v6Machine() *Machine {
	return New(Config{HWAddr: hw, IPv6OnlyPreferred: true}, &fakeRand{})
}

// TestV6OnlyOffer: RFC 8925 §3.2. Option 108 is requested; an OFFER with it
// is not requested but puts the interface in V6ONLY for V6ONLY_WAIT, at
// least MIN_V6ONLY_WAIT (300 s), after which a fresh DISCOVER goes out.
func TestV6OnlyOffer(t *testing.T) {
	m := v6Machine()
	d := firstSend(t, m, t0, Start{})
	if !d.IsOptionRequested(dhcpv4.OptionIPv6OnlyPreferred) {
		t.Fatal("option 108 not requested")
	}
	run(t, m, []step{
		{time.Second, offer(1, v6OnlyOpt(10)), []string{"stop retransmit", "SELECTING->V6ONLY", "arm wait at 5m1s"}},
	})
	st := m.Status()
	if !st.V6OnlyUntil.Equal(t0.Add(301*time.Second)) || st.Busy || st.XID != 0 || st.Lease != nil {
		t.Fatalf("status %+v: want V6ONLY until t0+301s, not busy, no transaction, no lease", st)
	}
	run(t, m, []step{
		{2 * time.Second, offer(1), nil}, // nothing is outstanding
		{301 * time.Second, Timeout{Wait}, []string{"V6ONLY->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 5m5s"}},
	})
	if !m.Status().V6OnlyUntil.IsZero() {
		t.Fatal("V6OnlyUntil kept after DHCPv4 resumed")
	}

	// A wait above the minimum is taken as it is; a server may offer no
	// address with it (yiaddr 0.0.0.0), which is no bad offer.
	m = v6Machine()
	run(t, m, []step{acquire[0],
		{time.Second, offer(1, v6OnlyOpt(3600), dhcpv4.WithYourIP(net.IPv4zero)), []string{"stop retransmit", "SELECTING->V6ONLY", "arm wait at 1h0m1s"}},
	})
	if n := m.Status().Counters.BadOffers; n != 0 {
		t.Fatalf("bad_offers %d, want 0", n)
	}

	// A malformed option 108 (length other than 4, §3.1) is ignored, as
	// is option 108 when IPV6_ONLY_PREFERRED is off.
	for _, tc := range []struct {
		name string
		m    *Machine
		opt  dhcpv4.Modifier
	}{
		{"3 bytes", v6Machine(), dhcpv4.WithGeneric(dhcpv4.OptionIPv6OnlyPreferred, []byte{0, 0, 9})},
		{"5 bytes", v6Machine(), dhcpv4.WithGeneric(dhcpv4.OptionIPv6OnlyPreferred, []byte{0, 0, 0, 9, 0})},
		{"not enabled", newMachine(&fakeRand{}), v6OnlyOpt(600)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, tc.m, []step{acquire[0],
				{500 * time.Millisecond, offer(1, tc.opt), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4.5s"}}})
		})
	}
}

// TestV6OnlyAck: an ACK of the acquisition that carries option 108 (a
// rapid-commit ACK, the ACK to a REQUEST, the ACK to INIT-REBOOT) is not
// configured; an INIT-REBOOT address already on the interface is removed
// and its record forgotten. A renewal's ACK with option 108 is a renewal.
func TestV6OnlyAck(t *testing.T) {
	rapid := New(Config{HWAddr: hw, IPv6OnlyPreferred: true, RapidCommit: true}, &fakeRand{})
	run(t, rapid, []step{acquire[0],
		{time.Second, ack(1, v6OnlyOpt(0), dhcpv4.WithGeneric(dhcpv4.OptionRapidCommit, nil)),
			[]string{"stop retransmit", "SELECTING->V6ONLY", "arm wait at 5m1s"}},
	})
	run(t, v6Machine(), []step{acquire[0], acquire[1],
		{time.Second, ack(1, v6OnlyOpt(0)), []string{"stop retransmit", "REQUESTING->V6ONLY", "arm wait at 5m1s"}},
	})
	// Not adopted: nothing to remove; the record goes.
	m := v6Machine()
	acts := m.Handle(t0, Start{Prior: prior()})
	acts = append(acts, m.Handle(t0.Add(time.Second), ack(1, v6OnlyOpt(0)))...)
	if diff := cmp.Diff([]string{"INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s",
		"stop retransmit", "forget", "INIT_REBOOT->V6ONLY", "arm wait at 5m1s"}, trace(acts)); diff != "" {
		t.Fatalf("INIT-REBOOT (-want +got):\n%s", diff)
	}
	// Adopted: the address is removed, with the EXPIRE that lets DNS
	// and the hook let go of it, and the record goes.
	m = v6Machine()
	m.Handle(t0, Start{Prior: prior(), Adopted: true})
	if diff := cmp.Diff([]string{"stop retransmit", "remove " + priorLease, "notify EXPIRE", "forget",
		"INIT_REBOOT->V6ONLY", "arm wait at 5m1s"}, trace(m.Handle(t0.Add(time.Second), ack(1, v6OnlyOpt(0))))); diff != "" {
		t.Fatalf("adopted INIT-REBOOT (-want +got):\n%s", diff)
	}
	// Renewing: the ACK renews.
	m = v6Machine()
	run(t, m, then(acquire,
		step{60500 * time.Millisecond, Timeout{Renew}, []string{"BOUND->RENEWING",
			"send REQUEST xid=2 secs=0 ciaddr=198.18.0.100 198.18.0.100->198.18.0.1", "arm retransmit at 1m23s"}},
	))
	for _, a := range m.Handle(t0.Add(61*time.Second), ack(2, v6OnlyOpt(0))) {
		if n, ok := a.(Notify); ok && n.Event != EventExtend {
			t.Fatalf("renewal ACK with 108 notified %s", n.Event)
		}
	}
	if m.State() != Bound {
		t.Fatalf("state %v after the renewal's ACK, want BOUND", m.State())
	}
}

// trace describes every action, the record's too.
func trace(acts []Action) []string {
	var out []string
	for _, a := range acts {
		switch a.(type) {
		case Forget:
			out = append(out, "forget")
		case Persist:
			out = append(out, "persist")
		case Reply, Manage:
		default:
			out = append(out, describe(a))
		}
	}
	return out
}

// TestV6OnlyCommands: a start is answered at once with the V6ONLY status;
// a second start is RUNNING and says when DHCPv4 resumes; drop ends the
// wait; carrier back (a network attachment event) resumes at once.
func TestV6OnlyCommands(t *testing.T) {
	m := v6Machine()
	if diff := cmp.Diff([]string{"1 may be primary", "manage 1 true"}, answers(m.Handle(t0, Command{ID: 1, Op: OpStart}))); diff != "" {
		t.Fatalf("start (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1 OK+status"}, answers(m.Handle(t0.Add(time.Second), offer(1, v6OnlyOpt(0))))); diff != "" {
		t.Fatalf("the offer with 108 (-want +got):\n%s", diff)
	}
	for _, a := range m.Handle(t0.Add(2*time.Second), Command{ID: 2, Op: OpStart}) {
		if r, ok := a.(Reply); ok && (r.Code != CodeRunning || !strings.Contains(r.Reason, "2026-01-02T03:09:06Z")) {
			t.Fatalf("second start answered %s %q, want RUNNING naming 2026-01-02T03:09:06Z", r.Code, r.Reason)
		}
	}
	run(t, m, []step{
		{3 * time.Second, Drop{}, []string{"stop wait", "V6ONLY->INIT", "notify DROP"}},
	})
	if !m.Status().V6OnlyUntil.IsZero() {
		t.Fatal("V6OnlyUntil kept after a drop")
	}

	run(t, v6Machine(), []step{acquire[0],
		{time.Second, offer(1, v6OnlyOpt(0)), []string{"stop retransmit", "SELECTING->V6ONLY", "arm wait at 5m1s"}},
		{2 * time.Second, LinkDown{}, nil},
		{3 * time.Second, LinkUp{}, []string{"stop wait", "V6ONLY->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 7s"}},
	})
}
