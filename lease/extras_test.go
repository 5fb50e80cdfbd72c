package lease

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// prior is a remembered lease of 198.18.0.100 for 2 minutes from t0-30s.
func prior() *Lease {
	cfg := Config{HWAddr: hw}
	return cfg.newLease(reply(dhcpv4.MessageTypeAck, 7, good()...), t0.Add(-30*time.Second))
}

const (
	rebootReq   = "send REQUEST xid=1 secs=%d req=198.18.0.100"
	priorLease  = "198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=-30s"
	rebootLease = "198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=0s"
)

func TestInitReboot(t *testing.T) {
	reboot := step{0, Start{Prior: prior()}, []string{"INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s"}}
	silence := []step{
		{4 * time.Second, Timeout{Retransmit}, []string{sprintf(rebootReq, 4), "arm retransmit at 12s"}},
		{12 * time.Second, Timeout{Retransmit}, []string{sprintf(rebootReq, 12), "arm retransmit at 28s"}},
		{28 * time.Second, Timeout{Retransmit}, []string{sprintf(rebootReq, 28), "arm retransmit at 1m0s"}},
	}
	t.Run("ack", func(t *testing.T) {
		run(t, newMachine(&fakeRand{}), []step{reboot,
			{time.Second, ack(1), []string{"stop retransmit", "apply " + rebootLease, "INIT_REBOOT->BOUND", "notify BOUND",
				"arm renew at 1m0s", "arm rebind at 1m45s", "arm expire at 2m0s"}},
		})
	})
	t.Run("nak", func(t *testing.T) {
		run(t, newMachine(&fakeRand{}), []step{reboot,
			{time.Second, nak(1), []string{"refused nak", "notify NAK", "stop retransmit", "INIT_REBOOT->SELECTING",
				"send DISCOVER xid=2 secs=0", "arm retransmit at 5s"}},
		})
	})
	t.Run("silence keeps the lease", func(t *testing.T) {
		run(t, newMachine(&fakeRand{}), then(append([]step{reboot}, silence...),
			step{60 * time.Second, Timeout{Retransmit}, []string{"apply " + priorLease, "INIT_REBOOT->BOUND", "notify BOUND",
				"arm renew at 30s", "arm rebind at 1m15s", "arm expire at 1m30s"}},
		))
	})
	t.Run("silence past T2 rebinds, no unicast RENEW", func(t *testing.T) {
		// Granted at -55 s: T2 at 50 s, expiry at 65 s. The fallback at 60 s
		// is past T2: no renew timer, the rebind one fires at once.
		cfg := Config{HWAddr: hw}
		old := cfg.newLease(reply(dhcpv4.MessageTypeAck, 7, good()...), t0.Add(-55*time.Second))
		old.schedule(fixedRand{})
		oldLease := "198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=-55s"
		run(t, newMachine(&fakeRand{}), then([]step{
			{0, Start{Prior: old}, []string{"INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s"}}}, append(silence,
			step{60 * time.Second, Timeout{Retransmit}, []string{"apply " + oldLease, "INIT_REBOOT->BOUND", "notify BOUND",
				"arm rebind at 50s", "arm expire at 1m5s"}},
			step{60 * time.Second, Timeout{Renew}, nil},
			step{60 * time.Second, Timeout{Rebind}, []string{"BOUND->REBINDING",
				"send REQUEST xid=2 secs=0 ciaddr=198.18.0.100 198.18.0.100->bcast", "arm retransmit at 1m15s"}},
		)...))
	})
	t.Run("silence with VERIFIED_LEASE_ONLY", func(t *testing.T) {
		run(t, New(Config{HWAddr: hw, VerifiedLeaseOnly: true}, &fakeRand{}), then(append([]step{reboot}, silence...),
			step{60 * time.Second, Timeout{Retransmit}, []string{"INIT_REBOOT->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 1m4s"}},
		))
	})
	t.Run("adopted address removed on nak", func(t *testing.T) {
		run(t, newMachine(&fakeRand{}), []step{
			{0, Start{Prior: prior(), Adopted: true}, []string{"apply " + priorLease, "INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s"}},
			{time.Second, nak(1), []string{"refused nak", "notify NAK", "stop retransmit", "remove " + priorLease, "notify EXPIRE",
				"INIT_REBOOT->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 5s"}},
		})
	})
	t.Run("expired prior", func(t *testing.T) {
		run(t, newMachine(&fakeRand{}), []step{
			{90 * time.Second, Start{Prior: prior()}, []string{"INIT->SELECTING", discover1, "arm retransmit at 1m34s"}},
		})
	})
}

func TestRapidCommit(t *testing.T) {
	committed := dhcpv4.WithGeneric(dhcpv4.OptionRapidCommit, nil)
	m := New(Config{HWAddr: hw, RapidCommit: true}, &fakeRand{})
	run(t, m, []step{
		{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		// An ACK without option 80 does not answer a DISCOVER.
		{100 * time.Millisecond, ack(1), nil},
		// With it, it binds at once; the lease counts from the DISCOVER.
		{200 * time.Millisecond, ack(1, committed), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=0s",
			"SELECTING->BOUND", "notify BOUND", "arm renew at 1m0s", "arm rebind at 1m45s", "arm expire at 2m0s"}},
	})
	// Without RAPID_COMMIT the same ACK is ignored.
	run(t, newMachine(&fakeRand{}), []step{acquire[0], {time.Second, ack(1, committed), nil}})
}

func TestBOOTP(t *testing.T) {
	bootp := reply(dhcpv4.MessageTypeNone, 1, dhcpv4.WithYourIP(offered), dhcpv4.WithServerIP(server),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)), dhcpv4.WithOption(dhcpv4.OptRouter(server)))
	bootp.Options.Del(dhcpv4.OptionDHCPMessageType)
	m := newMachine(&fakeRand{})
	run(t, m, []step{acquire[0],
		{time.Second, Received{bootp}, []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=infinite began=1s bootp",
			"SELECTING->BOUND", "notify BOUND"}},
		{time.Hour, Extend{}, nil}, // a BOOTP lease is not renewed
	})
	if l := m.Status().Lease; !l.BOOTP || l.Server.String() != "198.18.0.1" {
		t.Fatalf("lease %+v, want BOOTP from 198.18.0.1", l)
	}
}

func TestRoutesAndMTU(t *testing.T) {
	r3442 := dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(
		&dhcpv4.Route{Dest: mustNet("198.19.0.0/16"), Router: net.IPv4(198, 18, 0, 1)},
		&dhcpv4.Route{Dest: mustNet("198.20.0.0/24"), Router: net.IPv4zero},
		&dhcpv4.Route{Dest: mustNet("0.0.0.0/0"), Router: net.IPv4(198, 18, 0, 1)},
	))
	router254 := dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(198, 18, 0, 254)))
	def := func(gw string) Route { return Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: mustAddr(gw)} }
	for _, tc := range []struct {
		name   string
		ignore []dhcpv4.OptionCode
		mods   []dhcpv4.Modifier
		want   []Route
	}{
		{"option 3", nil, []dhcpv4.Modifier{router254}, []Route{def("198.18.0.254")}},
		{"121 replaces 3", nil, []dhcpv4.Modifier{router254, r3442}, []Route{
			{Dst: netip.MustParsePrefix("198.19.0.0/16"), Gw: mustAddr("198.18.0.1")},
			{Dst: netip.MustParsePrefix("198.20.0.0/24")}, // router 0.0.0.0: on-link
			def("198.18.0.1"),
		}},
		{"121 ignored", []dhcpv4.OptionCode{dhcpv4.OptionClasslessStaticRoute}, []dhcpv4.Modifier{router254, r3442}, []Route{def("198.18.0.254")}},
		{"3 ignored", []dhcpv4.OptionCode{dhcpv4.OptionRouter}, []dhcpv4.Modifier{router254}, nil},
		{"no router", nil, []dhcpv4.Modifier{dhcpv4.WithoutOption(dhcpv4.OptionRouter)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{HWAddr: hw, Ignore: tc.ignore}
			l := cfg.newLease(reply(dhcpv4.MessageTypeAck, 1, append(good(), tc.mods...)...), t0)
			if diff := cmp.Diff(tc.want, l.Routes, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Fatalf("routes (-want +got):\n%s", diff)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		value  []byte
		ignore bool
		want   int
	}{
		{"mtu", []byte{0x05, 0x78}, false, 1400},
		{"below 68", []byte{0, 67}, false, 0},
		{"malformed", []byte{5}, false, 0},
		{"ignored", []byte{0x05, 0x78}, true, 0},
	} {
		cfg := Config{HWAddr: hw}
		if tc.ignore {
			cfg.Ignore = []dhcpv4.OptionCode{dhcpv4.OptionInterfaceMTU}
		}
		l := cfg.newLease(reply(dhcpv4.MessageTypeAck, 1, append(good(), dhcpv4.WithGeneric(dhcpv4.OptionInterfaceMTU, tc.value))...), t0)
		if l.MTU != tc.want {
			t.Errorf("%s: MTU %d, want %d", tc.name, l.MTU, tc.want)
		}
	}
}

func mustNet(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

func TestInform(t *testing.T) {
	static := netip.MustParsePrefix("198.18.0.50/24")
	informReq := "send INFORM xid=1 secs=%d ciaddr=198.18.0.50 198.18.0.50->bcast"
	m := newMachine(&fakeRand{})
	answer := Received{reply(dhcpv4.MessageTypeAck, 1, dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server)),
		dhcpv4.WithOption(dhcpv4.OptDNS(net.IPv4(198, 18, 0, 53))))}
	run(t, m, []step{
		{0, Inform{Addr: static}, []string{"INIT->INFORM_SENT", sprintf(informReq, 0), "arm retransmit at 4s"}},
		{4 * time.Second, Timeout{Retransmit}, []string{sprintf(informReq, 4), "arm retransmit at 12s"}},
		{5 * time.Second, answer, []string{"stop retransmit", "INFORM_SENT->INFORMATION", "notify INFORM"}},
	})
	if st := m.Status(); st.Info == nil || st.Lease != nil || len(st.Info.DNS()) != 1 {
		t.Fatalf("status %+v: want the INFORM's ACK kept and no lease", st)
	}
	// Unanswered, it gives up after four tries.
	run(t, newMachine(&fakeRand{}), []step{
		{0, Inform{Addr: static}, []string{"INIT->INFORM_SENT", sprintf(informReq, 0), "arm retransmit at 4s"}},
		{4 * time.Second, Timeout{Retransmit}, []string{sprintf(informReq, 4), "arm retransmit at 12s"}},
		{12 * time.Second, Timeout{Retransmit}, []string{sprintf(informReq, 12), "arm retransmit at 28s"}},
		{28 * time.Second, Timeout{Retransmit}, []string{sprintf(informReq, 28), "arm retransmit at 1m0s"}},
		{60 * time.Second, Timeout{Retransmit}, []string{"INFORM_SENT->INIT"}},
	})
}

func TestCarrier(t *testing.T) {
	verifyReq := "send REQUEST xid=2 secs=0 req=198.18.0.100"
	run(t, newMachine(&fakeRand{}), then(acquire,
		// Carrier lost: nothing is sent, the lease stays, T1 passes quietly.
		step{10 * time.Second, LinkDown{}, nil},
		step{60500 * time.Millisecond, Timeout{Renew}, nil},
		// Back: verify with INIT-REBOOT; the expiry stays armed.
		step{70 * time.Second, LinkUp{}, []string{"stop rebind", "BOUND->INIT_REBOOT", verifyReq, "arm retransmit at 1m14s"}},
		step{71 * time.Second, ack(2), []string{"stop retransmit",
			"apply 198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=1m10s",
			"INIT_REBOOT->BOUND", "notify EXTEND", "arm renew at 2m10s", "arm rebind at 2m55s", "arm expire at 3m10s"}},
	))
	// A lease that runs out without carrier is removed all the same.
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{10 * time.Second, LinkDown{}, nil},
		step{120500 * time.Millisecond, Timeout{Expire}, []string{"stop renew", "stop rebind", "remove " + lease1, "notify EXPIRE",
			"BOUND->SELECTING"}},
		step{130 * time.Second, LinkUp{}, []string{"send DISCOVER xid=3 secs=0", "arm retransmit at 2m14s"}},
	))
	// Losing carrier mid-acquisition stops the DISCOVERs; the return starts over.
	run(t, newMachine(&fakeRand{}), []step{acquire[0],
		{time.Second, LinkDown{}, []string{"stop retransmit"}},
		{9 * time.Second, LinkUp{}, []string{"send DISCOVER xid=2 secs=0", "arm retransmit at 13s"}},
	})
}

func TestVerifyAfterClockJump(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire,
		step{30 * time.Second, Verify{}, []string{"stop renew", "stop rebind", "BOUND->INIT_REBOOT",
			"send REQUEST xid=2 secs=0 req=198.18.0.100", "arm retransmit at 34s"}},
		// NAK: the lease is gone, so is the address.
		step{31 * time.Second, nak(2), []string{"refused nak", "notify NAK", "stop retransmit", "stop expire", "remove " + lease1,
			"notify EXPIRE", "INIT_REBOOT->SELECTING", "send DISCOVER xid=3 secs=0", "arm retransmit at 35s"}},
	))
}

func TestRestore(t *testing.T) {
	cfg := Config{HWAddr: hw}
	first := reply(dhcpv4.MessageTypeAck, 1, good()...)
	latest := reply(dhcpv4.MessageTypeAck, 2, append(good(), leaseTime(600))...)
	l, err := cfg.Restore(first, latest, t0)
	if err != nil {
		t.Fatal(err)
	}
	if l.FirstACK != first || l.ACK != latest || l.Duration != 10*time.Minute || !l.T1.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("restored %+v", l)
	}
	bad := reply(dhcpv4.MessageTypeAck, 2, dhcpv4.WithYourIP(net.IPv4zero))
	if _, err := cfg.Restore(first, bad, t0); err == nil {
		t.Fatal("restored an unusable ACK")
	}
}

// A stored lease resumes only while it has time left: an expired one
// comes back with ErrExpired and its address, an unusable one with no
// lease (RFC 2131 §3.2: INIT-REBOOT only with an unexpired lease).
func TestResume(t *testing.T) {
	cfg := Config{HWAddr: hw}
	first := reply(dhcpv4.MessageTypeAck, 1, good()...)
	tenMin := reply(dhcpv4.MessageTypeAck, 2, append(good(), leaseTime(600))...)
	infinite := reply(dhcpv4.MessageTypeAck, 2, append(good(), leaseTime(0xffffffff))...)
	bad := reply(dhcpv4.MessageTypeAck, 2, dhcpv4.WithYourIP(net.IPv4zero))
	for _, c := range []struct {
		name     string
		latest   *dhcpv4.DHCPv4
		now      time.Time
		lease    bool // a lease is returned
		wantErr  error
		unusable bool
	}{
		{"fresh", tenMin, t0, true, nil, false},
		{"a second left", tenMin, t0.Add(10*time.Minute - time.Second), true, nil, false},
		{"at expiry", tenMin, t0.Add(10 * time.Minute), true, ErrExpired, false},
		{"long expired", tenMin, t0.Add(24 * time.Hour), true, ErrExpired, false},
		{"infinite, years on", infinite, t0.Add(5 * 365 * 24 * time.Hour), true, nil, false},
		{"unusable ACK", bad, t0, false, nil, true},
	} {
		l, err := cfg.Resume(first, c.latest, t0, c.now)
		switch {
		case c.unusable:
			if err == nil || errors.Is(err, ErrExpired) || l != nil {
				t.Errorf("%s: Resume = %v, %v; want Restore's error and no lease", c.name, l, err)
			}
		case !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil):
			t.Errorf("%s: err = %v, want %v", c.name, err, c.wantErr)
		case (l != nil) != c.lease:
			t.Errorf("%s: lease %v, want one: %v", c.name, l, c.lease)
		case l.ACK != c.latest || l.FirstACK != first || l.Addr.Addr() != netip.MustParseAddr("198.18.0.100"):
			t.Errorf("%s: resumed %+v", c.name, l)
		}
	}
}

func TestInitRebootProbesUnlessAdopted(t *testing.T) {
	cfg := Config{HWAddr: hw, ARPProbe: true}
	run(t, New(cfg, &fakeRand{}), []step{
		{0, Start{Prior: prior()}, []string{"INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s"}},
		{time.Second, ack(1), []string{"stop retransmit", "INIT_REBOOT->PRE_BOUND", "arp probe 198.18.0.100", "arm probe at 2.5s"}},
	})
	// An adopted address is ours already: no probe, it stays bound.
	run(t, New(cfg, &fakeRand{}), []step{
		{0, Start{Prior: prior(), Adopted: true}, []string{"apply " + priorLease, "INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s"}},
		{time.Second, ack(1), []string{"stop retransmit", "apply " + rebootLease, "INIT_REBOOT->BOUND", "notify EXTEND",
			"arm renew at 1m0s", "arm rebind at 1m45s", "arm expire at 2m0s"}},
	})
}

// A start whose stored lease is still on the interface (adopted: its
// actor failed too often and was stopped, the address left on the host)
// is answered once the INIT-REBOOT's ACK confirms it, its lease bound all
// along (EventExtend): it waited for EventBound, which never came.
func TestStartOfAdoptedLeaseAnswered(t *testing.T) {
	for name, silence := range map[string]bool{"ack": false, "silence": true} {
		t.Run(name, func(t *testing.T) {
			m := newMachine(&fakeRand{})
			m.Handle(t0, Command{ID: 7, Op: OpStart, Prior: prior(), Adopted: true})
			var acts []Action
			if silence {
				for i := 0; i < 10 && m.State() == InitReboot; i++ {
					acts = append(acts, m.Handle(m.armed[Retransmit], Timeout{Retransmit})...)
				}
			} else {
				acts = m.Handle(t0.Add(time.Second), ack(1))
			}
			var answered bool
			for _, a := range acts {
				if r, ok := a.(Reply); ok && r.ID == 7 {
					answered = r.Code == CodeOK
				}
			}
			if !answered || m.State() != Bound || m.Status().Busy {
				t.Fatalf("state %v busy %v, start answered %v; actions %v", m.State(), m.Status().Busy, answered, acts)
			}
		})
	}
}
