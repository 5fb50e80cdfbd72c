package lease

import (
	"net"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestT1T2(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name           string
		mods           []dhcpv4.Modifier
		pick           func(int64) int64
		t1, t2, expire time.Duration // after the REQUEST; 0: not armed
	}{
		{"defaults", nil, nil, 60 * s, 105 * s, 120 * s},
		{"defaults fuzzed low", nil, func(int64) int64 { return 0 }, 58800 * time.Millisecond, 102900 * time.Millisecond, 120 * s},
		{"defaults fuzzed high", nil, func(n int64) int64 { return n - 1 }, 61200 * time.Millisecond, 107100 * time.Millisecond, 120 * s},
		{"options 58 and 59", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(30 * s)),
			dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(90 * s))}, nil, 30 * s, 90 * s, 120 * s},
		{"T1 not below the lease", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(120 * s))}, nil, 60 * s, 105 * s, 120 * s},
		{"T2 beyond the lease", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(121 * s))}, nil, 60 * s, 105 * s, 120 * s},
		{"T2 not after T1", []dhcpv4.Modifier{dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(50 * s)),
			dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(50 * s))}, nil, 60 * s, 105 * s, 120 * s},
		// SPEC §2: short leases renew like any other.
		{"59 s lease", []dhcpv4.Modifier{leaseTime(59)}, nil, 29500 * time.Millisecond, 51625 * time.Millisecond, 59 * s},
		{"30 s lease", []dhcpv4.Modifier{leaseTime(30)}, nil, 15 * s, 26250 * time.Millisecond, 30 * s},
		{"10 s lease", []dhcpv4.Modifier{leaseTime(10)}, nil, 5 * s, 8750 * time.Millisecond, 10 * s},
		{"5 s lease", []dhcpv4.Modifier{leaseTime(5)}, nil, 2500 * time.Millisecond, 4375 * time.Millisecond, 5 * s},
		{"30 s lease, options 58/59", []dhcpv4.Modifier{leaseTime(30), dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(10 * s)),
			dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(20 * s))}, nil, 10 * s, 20 * s, 30 * s},
		{"1 s lease: expiry only", []dhcpv4.Modifier{leaseTime(1)}, nil, 0, 0, 1 * s},
		{"infinite: no timers", []dhcpv4.Modifier{dhcpv4.WithGeneric(dhcpv4.OptionIPAddressLeaseTime, []byte{0xff, 0xff, 0xff, 0xff})}, nil, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Config{HWAddr: hw}, &fakeRand{pick: tc.pick})
			m.Handle(t0, Start{})
			m.Handle(t0, offer(1))
			armed := map[Timer]time.Duration{}
			for _, a := range m.Handle(t0, ack(1, tc.mods...)) {
				if a, ok := a.(ArmTimer); ok {
					armed[a.Timer] = a.At.Sub(t0)
				}
			}
			if armed[Renew] != tc.t1 || armed[Rebind] != tc.t2 || armed[Expire] != tc.expire {
				t.Fatalf("armed T1 %v T2 %v expire %v; want %v %v %v",
					armed[Renew], armed[Rebind], armed[Expire], tc.t1, tc.t2, tc.expire)
			}
		})
	}
}

const (
	renewReq  = "send REQUEST xid=2 secs=%d ciaddr=198.18.0.100 198.18.0.100->198.18.0.1"
	rebindReq = "send REQUEST xid=3 secs=%d ciaddr=198.18.0.100 198.18.0.100->bcast"
)

func TestRenew(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, then(acquire,
		// T1: unicast from the leased address, ciaddr set, no 50 or 54. The
		// retry waits half the time to T2 (22.5 s), but at least 60 s
		// scaled to lease/8 (15 s) for this 120 s lease.
		step{60500 * time.Millisecond, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 1m23s"}},
		step{61 * time.Second, ack(2), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=1m0.5s",
			"RENEWING->BOUND", "notify EXTEND", "arm renew at 2m0.5s", "arm rebind at 2m45.5s", "arm expire at 3m0.5s"}},
	))
	if l := m.Status().Lease; l.FirstACK == l.ACK {
		t.Error("the renewed lease lost its first ACK")
	}
}

// TestRenewRebindExpireSchedule checks the §4.4.5 retry instants over a
// one-hour lease: half the remaining time to T2 (renewing) or to expiry
// (rebinding), never less than 60 s.
func TestRenewRebindExpireSchedule(t *testing.T) {
	ms := time.Millisecond
	s := time.Second
	// REQUEST at 0: T1 1800 s, T2 3150 s, expiry 3600 s.
	script := []step{
		{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		{0, offer(1, leaseTime(3600)), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4s"}},
		{0, ack(1, leaseTime(3600)), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=1h0m0s began=0s", "REQUESTING->BOUND",
			"notify BOUND", "arm renew at 30m0s", "arm rebind at 52m30s", "arm expire at 1h0m0s"}},
		{1800 * s, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 41m15s"}},
		{2475 * s, Timeout{Retransmit}, []string{sprintf(renewReq, 675), "arm retransmit at 46m52.5s"}},
		{2812500 * ms, Timeout{Retransmit}, []string{sprintf(renewReq, 1012), "arm retransmit at 49m41.25s"}},
		{2981250 * ms, Timeout{Retransmit}, []string{sprintf(renewReq, 1181), "arm retransmit at 51m5.625s"}},
		// 84 s to T2: half is under a minute, so 60 s.
		{3065625 * ms, Timeout{Retransmit}, []string{sprintf(renewReq, 1265), "arm retransmit at 52m5.625s"}},
		{3125625 * ms, Timeout{Retransmit}, []string{sprintf(renewReq, 1325), "arm retransmit at 53m5.625s"}},
		// T2: broadcast from the leased address, a new transaction.
		{3150 * s, Timeout{Rebind}, []string{"RENEWING->REBINDING", sprintf(rebindReq, 0), "arm retransmit at 56m15s"}},
		{3375 * s, Timeout{Retransmit}, []string{sprintf(rebindReq, 225), "arm retransmit at 58m7.5s"}},
		{3487500 * ms, Timeout{Retransmit}, []string{sprintf(rebindReq, 337), "arm retransmit at 59m7.5s"}},
		{3547500 * ms, Timeout{Retransmit}, []string{sprintf(rebindReq, 397), "arm retransmit at 1h0m7.5s"}},
		// Expiry: address and routes go, the client starts over.
		{3599 * s, Timeout{Expire}, nil},
		{3600 * s, Timeout{Expire}, []string{"stop retransmit",
			"remove 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=1h0m0s began=0s",
			"notify EXPIRE", "REBINDING->SELECTING", "send DISCOVER xid=4 secs=0", "arm retransmit at 1h0m4s"}},
	}
	run(t, New(Config{HWAddr: hw}, &fakeRand{}), script)
}

// TestShortLeaseRenews: a 30 s lease (T1 10 s, T2 20 s from the server)
// renews at T1 by unicast, retries no sooner than its scaled floor of 4 s
// (lease/8 = 3.75 s, at least 4 s), rebinds at T2 by broadcast, and is
// extended by the ACK without the address ever being removed.
func TestShortLeaseRenews(t *testing.T) {
	ms := time.Millisecond
	s := time.Second
	short := []dhcpv4.Modifier{leaseTime(30), dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(10 * s)),
		dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(20 * s))}
	run(t, New(Config{HWAddr: hw}, &fakeRand{}), []step{
		{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		{0, offer(1, short...), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4s"}},
		{0, ack(1, short...), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=30s began=0s", "REQUESTING->BOUND",
			"notify BOUND", "arm renew at 10s", "arm rebind at 20s", "arm expire at 30s"}},
		// Half of the 10 s to T2 is 5 s.
		{10 * s, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 15s"}},
		// Half of 5 s is 2.5 s: the floor makes it 4 s.
		{15 * s, Timeout{Retransmit}, []string{sprintf(renewReq, 5), "arm retransmit at 19s"}},
		{19 * s, Timeout{Retransmit}, []string{sprintf(renewReq, 9), "arm retransmit at 23s"}},
		// T2: broadcast; half of the 10 s to expiry.
		{20 * s, Timeout{Rebind}, []string{"RENEWING->REBINDING", sprintf(rebindReq, 0), "arm retransmit at 25s"}},
		{20500 * ms, ack(3, short...), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=30s began=20s",
			"REBINDING->BOUND", "notify EXTEND", "arm renew at 30s", "arm rebind at 40s", "arm expire at 50s"}},
	})
}

func TestRebindAck(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{60500 * time.Millisecond, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 1m23s"}},
		step{105500 * time.Millisecond, Timeout{Rebind}, []string{"RENEWING->REBINDING", sprintf(rebindReq, 0), "arm retransmit at 2m0.5s"}},
		step{106 * time.Second, ack(2), nil}, // the renewal's transaction is over
		step{106 * time.Second, ack(3), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=1m45.5s",
			"REBINDING->BOUND", "notify EXTEND", "arm renew at 2m45.5s", "arm rebind at 3m30.5s", "arm expire at 3m45.5s"}},
	))
}

func TestNakWhileRenewing(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{60500 * time.Millisecond, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 1m23s"}},
		step{61 * time.Second, nak(2), []string{"refused nak", "notify NAK", "stop retransmit", "stop rebind", "stop expire",
			"remove " + lease1, "notify EXPIRE", "RENEWING->SELECTING", "send DISCOVER xid=3 secs=0", "arm retransmit at 1m5s"}},
	))
}

func TestAckForOtherAddressWhileRenewing(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, then(acquire,
		step{60500 * time.Millisecond, Timeout{Renew}, []string{"BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 1m23s"}},
		step{61 * time.Second, ack(2, dhcpv4.WithYourIP(offered2)), []string{"refused address_mismatch"}},
	))
	if st := m.Status(); st.State != Renewing || st.Lease.Addr.Addr().String() != "198.18.0.100" {
		t.Fatalf("status %+v: the lease changed on an ACK for another address", st)
	}
}

func TestExtend(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{10 * time.Second, Extend{}, []string{"stop renew", "BOUND->RENEWING", sprintf(renewReq, 0), "arm retransmit at 57.75s"}},
		// Asked again while renewing: the REQUEST goes again now.
		step{15 * time.Second, Extend{}, []string{sprintf(renewReq, 5), "arm retransmit at 1m0.25s"}},
	))
}

func TestExpiry(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{120 * time.Second, Timeout{Expire}, nil}, // early: not yet
		step{120500 * time.Millisecond, Timeout{Expire}, []string{"stop renew", "stop rebind", "remove " + lease1,
			"notify EXPIRE", "BOUND->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 2m4.5s"}},
	))
}

func TestProbeThenBind(t *testing.T) {
	m := New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{})
	run(t, m, then(acquire[:2],
		step{600 * time.Millisecond, ack(1), []string{"stop retransmit", "REQUESTING->PRE_BOUND",
			"arp probe 198.18.0.100", "arm probe at 2.1s"}},
		step{2100 * time.Millisecond, Timeout{Probe}, []string{"arp probe 198.18.0.100", "arm probe at 3.6s"}},
		// Our own ARP, and ARP about other addresses, are no conflict.
		step{3 * time.Second, ARPSeen{SenderHW: hw, SenderIP: mustAddr("198.18.0.100")}, nil},
		step{3 * time.Second, ARPSeen{SenderHW: otherHW, SenderIP: mustAddr("198.18.0.7"), TargetIP: mustAddr("198.18.0.1")}, nil},
		// The last probe: the claim comes ANNOUNCE_WAIT (2 s) later,
		// whatever the random draw (RFC 5227 §2.1.1).
		step{3600 * time.Millisecond, Timeout{Probe}, []string{"arp probe 198.18.0.100", "arm probe at 5.6s"}},
		step{5100 * time.Millisecond, Timeout{Probe}, nil}, // early: not yet
		step{5600 * time.Millisecond, Timeout{Probe}, []string{"apply " + lease1, "PRE_BOUND->BOUND", "notify BOUND",
			"arm renew at 1m0.5s", "arm rebind at 1m45.5s", "arm expire at 2m0.5s",
			"arp announce 198.18.0.100", "arm probe at 7.6s"}},
		step{7600 * time.Millisecond, Timeout{Probe}, []string{"arp announce 198.18.0.100"}},
	))
}

var otherHW = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x99}

func TestProbeConflictDeclines(t *testing.T) {
	for _, tc := range []struct {
		name string
		seen ARPSeen
	}{
		{"address in use", ARPSeen{SenderHW: otherHW, SenderIP: mustAddr("198.18.0.100"), TargetIP: mustAddr("198.18.0.100")}},
		{"another host probing", ARPSeen{SenderHW: otherHW, SenderIP: mustAddr("0.0.0.0"), TargetIP: mustAddr("198.18.0.100")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{})
			run(t, m, then(acquire[:2],
				step{600 * time.Millisecond, ack(1), []string{"stop retransmit", "REQUESTING->PRE_BOUND",
					"arp probe 198.18.0.100", "arm probe at 2.1s"}},
				step{time.Second, tc.seen, []string{"refused declined", "stop probe",
					"send DECLINE xid=2 secs=0 req=198.18.0.100 sid=198.18.0.1",
					"notify DECLINE", "PRE_BOUND->DECLINING", "arm wait at 11s"}},
				step{11 * time.Second, Timeout{Wait}, []string{"DECLINING->SELECTING", "send DISCOVER xid=3 secs=0", "arm retransmit at 15s"}},
			))
			if st := m.Status(); st.Counters.Declined != 1 || st.Lease != nil {
				t.Fatalf("status %+v, want 1 declined and no lease", st)
			}
		})
	}
}

func TestDrop(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{time.Minute, Drop{}, []string{"stop renew", "stop rebind", "stop expire", "remove " + lease1, "BOUND->INIT", "notify DROP"}},
		step{time.Minute, ack(1), nil}, // nothing is outstanding any more
		step{2 * time.Minute, Timeout{Expire}, nil},
	))
}

func TestDropWhileSelecting(t *testing.T) {
	run(t, newMachine(&fakeRand{}), []step{
		acquire[0],
		{time.Second, Drop{}, []string{"stop retransmit", "SELECTING->INIT", "notify DROP"}},
		{2 * time.Second, offer(1), nil},
	})
}

func TestRelease(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{time.Minute, Release{}, []string{
			"send RELEASE xid=2 secs=0 ciaddr=198.18.0.100 sid=198.18.0.1 198.18.0.100->198.18.0.1",
			"stop renew", "stop rebind", "stop expire", "remove " + lease1, "BOUND->INIT", "notify RELEASE"}},
		// Start again from INIT works as the first time.
		step{2 * time.Minute, Start{}, []string{"INIT->SELECTING", "send DISCOVER xid=3 secs=0", "arm retransmit at 2m4s"}},
	))
}

func TestReleaseWhileProbing(t *testing.T) {
	// Not applied yet: the RELEASE cannot come from the address, so it is
	// broadcast through the packet socket.
	run(t, New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{}), then(acquire[:2],
		step{600 * time.Millisecond, ack(1), []string{"stop retransmit", "REQUESTING->PRE_BOUND",
			"arp probe 198.18.0.100", "arm probe at 2.1s"}},
		step{time.Second, Release{}, []string{"send RELEASE xid=2 secs=0 ciaddr=198.18.0.100 sid=198.18.0.1",
			"stop probe", "PRE_BOUND->INIT", "notify RELEASE"}},
	))
}
