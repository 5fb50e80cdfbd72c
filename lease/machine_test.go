package lease

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestAcquire(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, acquire)
	st := m.Status()
	if st.State != Bound || st.Counters.Sent != 2 || st.Counters.Received != 2 {
		t.Fatalf("status = %+v, want BOUND with 2 sent and 2 received", st)
	}
	if got, want := st.Lease.Expires(), t0.Add(120500*time.Millisecond); !got.Equal(want) {
		t.Fatalf("expires = %v, want %v", got, want)
	}
}

// firstSend returns the first message m sends on ev.
func firstSend(t *testing.T, m *Machine, now time.Time, ev Event) *dhcpv4.DHCPv4 {
	t.Helper()
	for _, a := range m.Handle(now, ev) {
		if s, ok := a.(Send); ok {
			return s.Msg
		}
	}
	t.Fatalf("%T sent nothing", ev)
	return nil
}

func TestDiscoverOptions(t *testing.T) {
	m := New(Config{HWAddr: hw, MaxMessageSize: 1500, Hostname: "node1", ClientID: []byte{1, 2, 3},
		ClassID: "lab", RapidCommit: true}, &fakeRand{})
	d := firstSend(t, m, t0, Start{})
	size, err := d.MaxMessageSize()
	if err != nil || size != 1500 {
		t.Errorf("option 57 = %d, %v; want 1500", size, err)
	}
	if got := d.HostName(); got != "node1" {
		t.Errorf("option 12 = %q, want node1", got)
	}
	if got := d.Options.Get(dhcpv4.OptionClientIdentifier); !cmp.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("option 61 = %x, want 010203", got)
	}
	if got := d.ClassIdentifier(); got != "lab" {
		t.Errorf("option 60 = %q, want lab", got)
	}
	if !d.Options.Has(dhcpv4.OptionRapidCommit) {
		t.Error("no option 80 with RapidCommit")
	}
	for _, o := range []dhcpv4.OptionCode{dhcpv4.OptionRouter, dhcpv4.OptionSubnetMask, dhcpv4.OptionClasslessStaticRoute} {
		if !d.IsOptionRequested(o) {
			t.Errorf("parameter request list %v lacks %v", d.ParameterRequestList(), o)
		}
	}
	if d.IsBroadcast() || !d.ClientIPAddr.IsUnspecified() {
		t.Errorf("DISCOVER flags/ciaddr = %v/%v; want unicast replies, ciaddr 0", d.FlagsToString(), d.ClientIPAddr)
	}
}

// TestDefaultParams: the default request list asks for the search list
// (119) and, unless the MTU is applied, not for option 26 (SPEC §2, §6).
func TestDefaultParams(t *testing.T) {
	for _, tc := range []struct {
		applyMTU bool
		want26   bool
	}{{false, false}, {true, true}} {
		d := firstSend(t, New(Config{HWAddr: hw, ApplyMTU: tc.applyMTU}, &fakeRand{}), t0, Start{})
		if !d.IsOptionRequested(dhcpv4.OptionDNSDomainSearchList) {
			t.Errorf("ApplyMTU=%v: request list %v lacks 119", tc.applyMTU, d.ParameterRequestList())
		}
		if got := d.IsOptionRequested(dhcpv4.OptionInterfaceMTU); got != tc.want26 {
			t.Errorf("ApplyMTU=%v: request list %v asks for 26: %v, want %v", tc.applyMTU, d.ParameterRequestList(), got, tc.want26)
		}
	}
	// A configured list is sent as configured, with or without ApplyMTU.
	d := firstSend(t, New(Config{HWAddr: hw, ApplyMTU: true, Params: []dhcpv4.OptionCode{dhcpv4.OptionRouter}}, &fakeRand{}), t0, Start{})
	if got := d.ParameterRequestList(); len(got) != 1 || got[0].Code() != dhcpv4.OptionRouter.Code() {
		t.Errorf("configured request list sent as %v, want [3]", got)
	}
	if slices.Contains(DefaultParams, dhcpv4.OptionCode(dhcpv4.OptionInterfaceMTU)) {
		t.Errorf("DefaultParams = %v: changed by ApplyMTU", DefaultParams)
	}
}

func TestFQDNOption(t *testing.T) {
	m := New(Config{HWAddr: hw, Hostname: "node1.example.org"}, &fakeRand{})
	d := firstSend(t, m, t0, Start{})
	want := append([]byte{0x05, 0, 0, 5}, "node1\x07example\x03org\x00"...)
	if got := d.Options.Get(dhcpv4.OptionFQDN); !cmp.Equal(got, want) {
		t.Errorf("option 81 = %q, want %q", got, want)
	}
	if d.Options.Has(dhcpv4.OptionHostName) {
		t.Error("option 12 sent alongside 81")
	}
}

func TestDiscoverRetransmission(t *testing.T) {
	// Zero jitter: the waits are exactly 4, 8, 16, 32, 64, 64 s (RFC 2131 §4.1),
	// and secs counts from the first DISCOVER.
	run(t, newMachine(&fakeRand{}), []step{
		{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		{4 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=4", "arm retransmit at 12s"}},
		{12 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=12", "arm retransmit at 28s"}},
		{28 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=28", "arm retransmit at 1m0s"}},
		{60 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=60", "arm retransmit at 2m4s"}},
		{124 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=124", "arm retransmit at 3m8s"}},
		{188 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=188", "arm retransmit at 4m12s"}},
	})
}

func TestJitterBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		pick func(n int64) int64
		want string
	}{
		{"lowest", func(int64) int64 { return 0 }, "arm retransmit at 3s"},
		{"highest", func(n int64) int64 { return n - 1 }, "arm retransmit at 5s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked int64
			pick := func(n int64) int64 { asked = n; return tc.pick(n) }
			run(t, newMachine(&fakeRand{pick: pick}), []step{
				{0, Start{}, []string{"INIT->SELECTING", discover1, tc.want}},
			})
			if want := int64(2*time.Second) + 1; asked != want {
				t.Fatalf("jitter drawn from [0,%d), want [0,%d): ±1 s inclusive", asked, want)
			}
		})
	}
}

func TestSelectWait(t *testing.T) {
	cfg := Config{HWAddr: hw, SelectWait: 2 * time.Second}
	// The middle of 0..2 s: DISCOVER after 1 s.
	// The wait is spent in INIT with the start pending, as illumos does.
	m := New(cfg, &fakeRand{})
	run(t, m, []step{
		{0, Start{}, []string{"arm wait at 1s"}},
		{500 * time.Millisecond, Start{}, nil}, // already started
	})
	if st := m.Status(); st.State != Init || !st.Starting {
		t.Fatalf("status %+v during SELECT_WAIT, want INIT and starting", st)
	}
	run(t, m, []step{
		{time.Second, Timeout{Wait}, []string{"INIT->SELECTING", discover1, "arm retransmit at 5s"}},
	})
	// The bounds: 0 sends at once, the top waits the whole SELECT_WAIT.
	run(t, New(cfg, &fakeRand{pick: func(int64) int64 { return 0 }}), []step{
		{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 3s"}},
	})
	run(t, New(cfg, &fakeRand{pick: func(n int64) int64 { return n - 1 }}), []step{
		{0, Start{}, []string{"arm wait at 2s"}},
		{time.Second, Drop{}, []string{"stop wait", "notify DROP"}},
		{2 * time.Second, Timeout{Wait}, nil},
	})
}

// offerFrom is an offer of addr by srv with extra options.
func offerFrom(xid uint32, srv, addr net.IP, mods ...dhcpv4.Modifier) Event {
	base := []dhcpv4.Modifier{
		dhcpv4.WithYourIP(addr), dhcpv4.WithServerIP(srv),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(srv)), dhcpv4.WithLeaseTime(120),
	}
	return Received{reply(dhcpv4.MessageTypeOffer, xid, append(base, mods...)...)}
}

var (
	server2  = net.IPv4(198, 18, 0, 2)
	offered2 = net.IPv4(198, 18, 0, 200)
)

func TestOfferWaitPicksBest(t *testing.T) {
	m := New(Config{HWAddr: hw, OfferWait: 3 * time.Second}, &fakeRand{})
	run(t, m, []step{
		{0, Start{}, []string{"INIT->SELECTING", "arm wait at 3s", discover1, "arm retransmit at 4s"}},
		// A bare offer, then a richer one from another server: both wait.
		{500 * time.Millisecond, offerFrom(1, server, offered), nil},
		{time.Second, offerFrom(1, server2, offered2, dhcpv4.WithNetmask(net.CIDRMask(24, 32)),
			dhcpv4.WithOption(dhcpv4.OptRouter(server2))), nil},
		// OFFER_WAIT over: the offer with more requested options wins.
		{3 * time.Second, Timeout{Wait}, []string{"SELECTING->REQUESTING",
			"send REQUEST xid=1 secs=0 req=198.18.0.200 sid=198.18.0.2", "arm retransmit at 7s"}},
	})
}

func TestOfferWaitWithoutOffersTakesTheNext(t *testing.T) {
	run(t, New(Config{HWAddr: hw, OfferWait: 3 * time.Second}, &fakeRand{}), []step{
		{0, Start{}, []string{"INIT->SELECTING", "arm wait at 3s", discover1, "arm retransmit at 4s"}},
		{3 * time.Second, Timeout{Wait}, nil},
		{3500 * time.Millisecond, offer(1), []string{"SELECTING->REQUESTING",
			"send REQUEST xid=1 secs=0 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 7.5s"}},
	})
}

func TestDHCPOfferBeatsBOOTP(t *testing.T) {
	bootp := reply(dhcpv4.MessageTypeNone, 1, dhcpv4.WithYourIP(offered2), dhcpv4.WithServerIP(server2),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)), dhcpv4.WithOption(dhcpv4.OptRouter(server2)))
	bootp.Options.Del(dhcpv4.OptionDHCPMessageType)
	run(t, New(Config{HWAddr: hw, OfferWait: time.Second}, &fakeRand{}), []step{
		{0, Start{}, []string{"INIT->SELECTING", "arm wait at 1s", discover1, "arm retransmit at 4s"}},
		{100 * time.Millisecond, Received{bootp}, nil},
		{200 * time.Millisecond, offerFrom(1, server, offered), nil},
		{time.Second, Timeout{Wait}, []string{"SELECTING->REQUESTING", "send REQUEST xid=1 secs=0 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 5s"}},
	})
}

func TestRequestRetriesThenNextOfferThenSelecting(t *testing.T) {
	m := New(Config{HWAddr: hw, OfferWait: time.Second}, &fakeRand{})
	reqA := "send REQUEST xid=1 secs=%d req=198.18.0.100 sid=198.18.0.1"
	reqB := "send REQUEST xid=1 secs=%d req=198.18.0.200 sid=198.18.0.2"
	run(t, m, []step{
		{0, Start{}, []string{"INIT->SELECTING", "arm wait at 1s", discover1, "arm retransmit at 4s"}},
		{100 * time.Millisecond, offerFrom(1, server, offered, dhcpv4.WithNetmask(net.CIDRMask(24, 32))), nil},
		{200 * time.Millisecond, offerFrom(1, server2, offered2), nil},
		{time.Second, Timeout{Wait}, []string{"SELECTING->REQUESTING", sprintf(reqA, 0), "arm retransmit at 5s"}},
		{5 * time.Second, Timeout{Retransmit}, []string{sprintf(reqA, 0), "arm retransmit at 13s"}},
		{13 * time.Second, Timeout{Retransmit}, []string{sprintf(reqA, 0), "arm retransmit at 29s"}},
		{29 * time.Second, Timeout{Retransmit}, []string{sprintf(reqA, 0), "arm retransmit at 1m1s"}},
		// Every try carries the DISCOVER's secs (RFC 2131 §3.1 step 3).
		// Four REQUESTs unanswered: the next best offer, same transaction.
		{61 * time.Second, Timeout{Retransmit}, []string{sprintf(reqB, 0), "arm retransmit at 1m5s"}},
		{65 * time.Second, Timeout{Retransmit}, []string{sprintf(reqB, 0), "arm retransmit at 1m13s"}},
		{73 * time.Second, Timeout{Retransmit}, []string{sprintf(reqB, 0), "arm retransmit at 1m29s"}},
		{89 * time.Second, Timeout{Retransmit}, []string{sprintf(reqB, 0), "arm retransmit at 2m1s"}},
		// No offer left: a new exchange.
		{121 * time.Second, Timeout{Retransmit}, []string{"REQUESTING->SELECTING",
			"arm wait at 2m2s", "send DISCOVER xid=2 secs=0", "arm retransmit at 2m5s"}},
	})
}

// TestRequestReusesDiscoverSecs: the SELECTING REQUEST carries the secs of
// the DISCOVER its offer answered, retransmissions included (RFC 2131 §3.1
// step 3, table 5), also when that DISCOVER was itself a retransmission.
func TestRequestReusesDiscoverSecs(t *testing.T) {
	run(t, newMachine(&fakeRand{}), []step{
		{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		{4 * time.Second, Timeout{Retransmit}, []string{"send DISCOVER xid=1 secs=4", "arm retransmit at 12s"}},
		{6500 * time.Millisecond, offer(1), []string{"SELECTING->REQUESTING",
			"send REQUEST xid=1 secs=4 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 10.5s"}},
		{10500 * time.Millisecond, Timeout{Retransmit}, []string{
			"send REQUEST xid=1 secs=4 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 18.5s"}},
	})
}

// TestNakStormBacksOff: the first NAK starts over at once, each further
// one waits 4 s, 8 s, ... up to 64 s before the next DISCOVER (SPEC §2).
func TestNakStormBacksOff(t *testing.T) {
	m := newMachine(&fakeRand{})
	at := time.Duration(0)
	run(t, m, []step{{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}}})
	for i, wait := range []time.Duration{0, 4, 8, 16, 32, 64, 64} {
		xid := uint32(i + 1)
		m.Handle(t0.Add(at), offer(xid))
		got := describeAll(m.Handle(t0.Add(at), nak(xid)))
		if wait == 0 {
			if !slices.Contains(got, sprintf("send DISCOVER xid=%d secs=0", xid+1)) {
				t.Fatalf("NAK %d: %v, want a DISCOVER at once", i+1, got)
			}
			continue
		}
		if want := sprintf("arm wait at %v", at+wait*time.Second); !slices.Contains(got, want) || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "send") }) {
			t.Fatalf("NAK %d: %v, want %q and nothing sent", i+1, got, want)
		}
		at += wait * time.Second
		if got := describeAll(m.Handle(t0.Add(at), Timeout{Wait})); !slices.Contains(got, sprintf("send DISCOVER xid=%d secs=0", xid+1)) {
			t.Fatalf("after the wait of NAK %d: %v, want a DISCOVER", i+1, got)
		}
	}
}

func describeAll(as []Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, describe(a))
	}
	return out
}

func TestNakInRequestingRestarts(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, then(acquire[:2],
		step{time.Second, nak(1), []string{"refused nak", "notify NAK", "stop retransmit", "REQUESTING->SELECTING",
			"send DISCOVER xid=2 secs=0", "arm retransmit at 5s"}},
		// The NAKed transaction is over: its late ACK changes nothing.
		step{1100 * time.Millisecond, ack(1), nil},
	))
	if got := m.Status().Counters.Ignored; got != 1 {
		t.Fatalf("ignored = %d, want 1", got)
	}
}

func TestIgnoredReplies(t *testing.T) {
	other := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	requestOp := reply(dhcpv4.MessageTypeOffer, 1, good()...)
	requestOp.OpCode = dhcpv4.OpcodeBootRequest
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"foreign xid", offer(99)},
		{"other chaddr", offer(1, dhcpv4.WithHwAddr(other))},
		{"request opcode", Received{requestOp}},
		{"ack while selecting", ack(1)},
		{"nak while selecting", nak(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(&fakeRand{})
			run(t, m, []step{acquire[0], {time.Second, tc.ev, nil}})
			if st := m.Status(); st.State != Selecting || st.Counters.Ignored != 1 {
				t.Fatalf("status = %+v, want SELECTING with 1 ignored", st)
			}
		})
	}
}

func TestLateAndDuplicateRepliesWhenBound(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, then(acquire, step{time.Second, offer(1), nil}, step{time.Second, ack(1), nil}))
	if st := m.Status(); st.State != Bound || st.Counters.Ignored != 2 {
		t.Fatalf("status = %+v, want BOUND with 2 ignored", st)
	}
}

func TestBadOffers(t *testing.T) {
	taken := netip.MustParsePrefix("198.18.0.0/24")
	for _, tc := range []struct {
		name string
		mod  dhcpv4.Modifier
		cfg  func(*Config)
		want Reason
	}{
		{"no server id", dhcpv4.WithoutOption(dhcpv4.OptionServerIdentifier), nil, ReasonNoServerID},
		{"no lease time", dhcpv4.WithoutOption(dhcpv4.OptionIPAddressLeaseTime), nil, ReasonNoLeaseTime},
		{"zero lease time", leaseTime(0), nil, ReasonZeroLease},
		{"zero address", dhcpv4.WithYourIP(net.IPv4zero), nil, ReasonBadAddress},
		{"this network", dhcpv4.WithYourIP(net.IPv4(0, 1, 2, 3)), nil, ReasonBadAddress},
		{"loopback", dhcpv4.WithYourIP(net.IPv4(127, 0, 0, 5)), nil, ReasonBadAddress},
		{"multicast", dhcpv4.WithYourIP(net.IPv4(224, 0, 0, 1)), nil, ReasonBadAddress},
		{"broadcast", dhcpv4.WithYourIP(net.IPv4bcast), nil, ReasonBadAddress},
		{"network of another interface", nil, func(c *Config) { c.Conflicts = taken.Contains }, ReasonConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{HWAddr: hw}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var mods []dhcpv4.Modifier
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			m := New(cfg, &fakeRand{})
			run(t, m, []step{acquire[0], {time.Second, offer(1, mods...), []string{"refused " + tc.want.String()}}})
			if st := m.Status(); st.State != Selecting || st.Counters.BadOffers != 1 || st.Counters.Refused[tc.want] != 1 {
				t.Fatalf("status = %+v, want SELECTING with 1 bad offer refused for %v", st, tc.want)
			}
			if got := m.Refusals(); len(got) != 1 || got[0].Reason != tc.want || !got[0].At.Equal(t0.Add(time.Second)) || got[0].Detail == "" {
				t.Fatalf("refusals %+v, want one %v at 1 s with a detail", got, tc.want)
			}
		})
	}
}

func TestAckForOtherAddressIgnored(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, then(acquire[:2], step{time.Second, ack(1, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101))), []string{"refused address_mismatch"}}))
	if st := m.Status(); st.State != Requesting || st.Counters.Ignored != 1 {
		t.Fatalf("status = %+v, want REQUESTING with 1 ignored", st)
	}
}

func TestStaleTimersIgnored(t *testing.T) {
	run(t, newMachine(&fakeRand{}), []step{
		acquire[0],
		{3 * time.Second, Timeout{Retransmit}, nil}, // before its instant: an earlier arming
		{5 * time.Second, Timeout{Expire}, nil},     // never armed
		acquire[1], acquire[2],
		{10 * time.Second, Timeout{Retransmit}, nil}, // stopped on binding
		{10 * time.Second, Timeout{Probe}, nil},
	})
}

func TestStartIsIgnoredOnceStarted(t *testing.T) {
	run(t, newMachine(&fakeRand{}), []step{acquire[0], {time.Second, Start{}, nil}})
}

func TestClassfulPrefixWithoutMask(t *testing.T) {
	run(t, newMachine(&fakeRand{}), then(acquire[:2],
		step{time.Second, ack(1, dhcpv4.WithoutOption(dhcpv4.OptionSubnetMask)), []string{
			"stop retransmit", "apply " + lease1, "REQUESTING->BOUND", "notify BOUND",
			"arm renew at 1m0.5s", "arm rebind at 1m45.5s", "arm expire at 2m0.5s"}},
	))
	for _, tc := range []struct {
		ip   string
		want int
	}{{"10.1.2.3", 8}, {"172.16.0.1", 16}, {"198.18.0.1", 24}} {
		if got := prefixLen(nil, netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("classful prefix of %s = %d, want %d", tc.ip, got, tc.want)
		}
	}
}

// TestMaxMessageSize: option 57 is the largest message one datagram of the
// link's MTU carries (RFC 2132 §9.10), never below 576 nor above 65535.
func TestMaxMessageSize(t *testing.T) {
	for mtu, want := range map[int]uint16{0: 576, 576: 576, 604: 576, 605: 577, 1500: 1472, 9000: 8972, 70000: 65535} {
		if got := MaxMessageSize(mtu); got != want {
			t.Errorf("MaxMessageSize(%d) = %d, want %d", mtu, got, want)
		}
	}
}
