package lease

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

var (
	t0      = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hw      = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	server  = net.IPv4(198, 18, 0, 1)
	offered = net.IPv4(198, 18, 0, 100)
)

// fakeRand hands out xids 1, 2, 3, ... and a jitter chosen by the test:
// mid (the default) means none, 0 means -1 s and n-1 means +1 s.
type fakeRand struct {
	xid  uint32
	pick func(n int64) int64
}

func (r *fakeRand) XID() uint32 { r.xid++; return r.xid }
func (r *fakeRand) Int63n(n int64) int64 {
	if r.pick != nil {
		return r.pick(n)
	}
	return n / 2
}

// step is one line of a script: at t0+at, deliver ev and expect want.
type step struct {
	at   time.Duration
	ev   Event
	want []string
}

// run plays a script against m and fails on the first divergence, printing
// (-want +got).
func run(t *testing.T, m *Machine, script []step) {
	t.Helper()
	for i, s := range script {
		var got []string
		for _, a := range m.Handle(t0.Add(s.at), s.ev) {
			got = append(got, describe(a))
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Fatalf("step %d (%v at %v): actions (-want +got):\n%s", i, s.ev, s.at, diff)
		}
	}
}

// describe renders an action as a compact line so scripts read like a trace.
func describe(a Action) string {
	switch a := a.(type) {
	case Send:
		m := a.Msg
		s := fmt.Sprintf("send %s xid=%d secs=%d", m.MessageType(), XID(m), m.NumSeconds)
		if !m.ClientIPAddr.IsUnspecified() {
			s += " ciaddr=" + m.ClientIPAddr.String()
		}
		if ip := m.RequestedIPAddress(); ip != nil {
			s += " req=" + ip.String()
		}
		if ip := m.ServerIdentifier(); ip != nil {
			s += " sid=" + ip.String()
		}
		if a.To.IsValid() {
			s += fmt.Sprintf(" %v->%v", a.From, a.To)
		}
		return s
	case ArmTimer:
		return fmt.Sprintf("arm %v at %v", a.Timer, a.At.Sub(t0))
	case StopTimer:
		return fmt.Sprintf("stop %v", a.Timer)
	case Apply:
		return "apply " + describeLease(a.Lease)
	case Remove:
		return "remove " + describeLease(a.Lease)
	case Transition:
		return fmt.Sprintf("%v->%v", a.From, a.To)
	}
	return fmt.Sprintf("%T", a)
}

func describeLease(l *Lease) string {
	d := l.Duration.String()
	if l.Infinite {
		d = "infinite"
	}
	return fmt.Sprintf("%v routers=%v lease=%s began=%v", l.Addr, l.Routers, d, l.Began.Sub(t0))
}

// reply builds a server reply of type t for transaction xid.
func reply(t dhcpv4.MessageType, xid uint32, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{
		dhcpv4.WithTransactionID(xidBytes(xid)),
		dhcpv4.WithHwAddr(hw),
		dhcpv4.WithMessageType(t),
	}, mods...)...)
	if err != nil {
		panic(err)
	}
	m.OpCode = dhcpv4.OpcodeBootReply
	return m
}

// offer and ack are well-formed replies granting `offered` for 120 s.
func offer(xid uint32, mods ...dhcpv4.Modifier) Event {
	return Received{reply(dhcpv4.MessageTypeOffer, xid, append(good(), mods...)...)}
}

func ack(xid uint32, mods ...dhcpv4.Modifier) Event {
	return Received{reply(dhcpv4.MessageTypeAck, xid, append(good(), mods...)...)}
}

func good() []dhcpv4.Modifier {
	return []dhcpv4.Modifier{
		dhcpv4.WithYourIP(offered),
		dhcpv4.WithServerIP(server),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server)),
		dhcpv4.WithLeaseTime(120),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)),
		dhcpv4.WithOption(dhcpv4.OptRouter(server)),
	}
}

func newMachine(r *fakeRand) *Machine {
	return New(Config{HWAddr: hw, MaxMessageSize: 1500}, r)
}

const (
	discover1 = "send DISCOVER xid=1 secs=0"
	request1  = "send REQUEST xid=1 secs=0 req=198.18.0.100 sid=198.18.0.1"
	bound     = "apply 198.18.0.100/24 routers=[198.18.0.1] lease=2m0s began=500ms"
)

// acquire is the script from INIT to BOUND used as a prefix by other tests:
// DISCOVER at 0, OFFER at 0.5 s, ACK at 0.6 s; the lease counts from the
// REQUEST at 0.5 s and so expires at 120.5 s.
var acquire = []step{
	{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
	{500 * time.Millisecond, offer(1), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4.5s"}},
	{600 * time.Millisecond, ack(1), []string{"stop retransmit", bound, "REQUESTING->BOUND", "arm expire at 2m0.5s"}},
}

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

func TestDiscoverOptions(t *testing.T) {
	m := New(Config{HWAddr: hw, MaxMessageSize: 1500, Hostname: "node1", ClientID: []byte{1, 2, 3}}, &fakeRand{})
	var d *dhcpv4.DHCPv4
	for _, a := range m.Handle(t0, Start{}) {
		if s, ok := a.(Send); ok {
			d = s.Msg
		}
	}
	if d == nil {
		t.Fatal("no DISCOVER sent")
	}
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
	if !d.IsOptionRequested(dhcpv4.OptionRouter) || !d.IsOptionRequested(dhcpv4.OptionSubnetMask) {
		t.Errorf("parameter request list %v lacks router or subnet mask", d.ParameterRequestList())
	}
	if d.IsBroadcast() || !d.ClientIPAddr.IsUnspecified() {
		t.Errorf("DISCOVER flags/ciaddr = %v/%v; want unicast replies, ciaddr 0", d.FlagsToString(), d.ClientIPAddr)
	}
}

func TestDiscoverRetransmission(t *testing.T) {
	// Zero jitter: the waits are exactly 4, 8, 16, 32, 64, 64 s (RFC 2131 §4.1),
	// and secs counts from the first DISCOVER.
	m := newMachine(&fakeRand{})
	run(t, m, []step{
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
				t.Fatalf("jitter drawn from [0,%d), want [0,%d): +-1 s inclusive", asked, want)
			}
		})
	}
}

func TestRequestRetriesThenRestart(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:2:2],
		step{4500 * time.Millisecond, Timeout{Retransmit}, []string{"send REQUEST xid=1 secs=4 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 12.5s"}},
		step{12500 * time.Millisecond, Timeout{Retransmit}, []string{"send REQUEST xid=1 secs=12 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 28.5s"}},
		step{28500 * time.Millisecond, Timeout{Retransmit}, []string{"send REQUEST xid=1 secs=28 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 1m0.5s"}},
		// Four REQUESTs unanswered: the offer is abandoned, a new exchange begins.
		step{60500 * time.Millisecond, Timeout{Retransmit}, []string{"REQUESTING->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 1m4.5s"}},
	))
}

func TestNakInRequestingRestarts(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:2:2],
		step{time.Second, Received{reply(dhcpv4.MessageTypeNak, 1, dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server)))},
			[]string{"REQUESTING->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 5s"}},
		// The NAKed transaction is over: its late ACK changes nothing.
		step{1100 * time.Millisecond, ack(1), nil},
	))
	if got := m.Status().Counters.Ignored; got != 1 {
		t.Fatalf("ignored = %d, want 1", got)
	}
}

func TestIgnoredReplies(t *testing.T) {
	other := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"foreign xid", offer(99)},
		{"other chaddr", offer(1, dhcpv4.WithHwAddr(other))},
		{"request opcode", Received{func() *dhcpv4.DHCPv4 {
			m := reply(dhcpv4.MessageTypeOffer, 1, good()...)
			m.OpCode = dhcpv4.OpcodeBootRequest
			return m
		}()}},
		{"ack while selecting", ack(1)},
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
	run(t, m, append(acquire[:3:3],
		step{time.Second, offer(1), nil},
		step{time.Second, ack(1), nil},
	))
	if st := m.Status(); st.State != Bound || st.Counters.Ignored != 2 {
		t.Fatalf("status = %+v, want BOUND with 2 ignored", st)
	}
}

func TestBadOffers(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  dhcpv4.Modifier
	}{
		{"no server id", dhcpv4.WithoutOption(dhcpv4.OptionServerIdentifier)},
		{"no lease time", dhcpv4.WithoutOption(dhcpv4.OptionIPAddressLeaseTime)},
		{"zero address", dhcpv4.WithYourIP(net.IPv4zero)},
		{"this network", dhcpv4.WithYourIP(net.IPv4(0, 1, 2, 3))},
		{"loopback", dhcpv4.WithYourIP(net.IPv4(127, 0, 0, 5))},
		{"multicast", dhcpv4.WithYourIP(net.IPv4(224, 0, 0, 1))},
		{"broadcast", dhcpv4.WithYourIP(net.IPv4bcast)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(&fakeRand{})
			run(t, m, []step{acquire[0], {time.Second, offer(1, tc.mod), nil}})
			if st := m.Status(); st.State != Selecting || st.Counters.BadOffers != 1 {
				t.Fatalf("status = %+v, want SELECTING with 1 bad offer", st)
			}
		})
	}
}

func TestAckForOtherAddressRejected(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:2:2],
		step{time.Second, ack(1, dhcpv4.WithYourIP(net.IPv4(198, 18, 0, 101))), nil},
	))
	if st := m.Status(); st.State != Requesting || st.Counters.BadOffers != 1 {
		t.Fatalf("status = %+v, want REQUESTING with 1 bad offer", st)
	}
}

func TestStaleTimersIgnored(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, []step{
		acquire[0],
		// Fires before its instant: an earlier arming's timer.
		{3 * time.Second, Timeout{Retransmit}, nil},
		// Expire was never armed.
		{5 * time.Second, Timeout{Expire}, nil},
		acquire[1], acquire[2],
		// Retransmit was stopped on binding.
		{10 * time.Second, Timeout{Retransmit}, nil},
	})
}

func TestExpiry(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:3:3],
		step{120 * time.Second, Timeout{Expire}, nil}, // early: not yet
		step{120500 * time.Millisecond, Timeout{Expire}, []string{
			"remove 198.18.0.100/24 routers=[198.18.0.1] lease=2m0s began=500ms",
			"BOUND->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 2m4.5s"}},
	))
}

func TestInfiniteLeaseHasNoTimers(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, []step{
		acquire[0], acquire[1],
		{time.Second, ack(1, dhcpv4.WithGeneric(dhcpv4.OptionIPAddressLeaseTime, []byte{0xff, 0xff, 0xff, 0xff})),
			[]string{"stop retransmit", "apply 198.18.0.100/24 routers=[198.18.0.1] lease=infinite began=500ms", "REQUESTING->BOUND"}},
	})
	if !m.Status().Lease.Expires().IsZero() {
		t.Fatal("an infinite lease has an expiry")
	}
}

func TestClassfulPrefixWithoutMask(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:2:2],
		step{time.Second, ack(1, dhcpv4.WithoutOption(dhcpv4.OptionSubnetMask)), []string{
			"stop retransmit", "apply 198.18.0.100/24 routers=[198.18.0.1] lease=2m0s began=500ms",
			"REQUESTING->BOUND", "arm expire at 2m0.5s"}},
	))
	for _, tc := range []struct {
		ip   string
		want int
	}{{"10.1.2.3", 8}, {"172.16.0.1", 16}, {"198.18.0.1", 24}} {
		if got := prefixLen(nil, mustAddr(tc.ip)); got != tc.want {
			t.Errorf("classful prefix of %s = %d, want %d", tc.ip, got, tc.want)
		}
	}
}

func TestDrop(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:3:3],
		step{time.Minute, Drop{}, []string{"stop expire", "remove " + strings.TrimPrefix(bound, "apply "), "BOUND->INIT"}},
		step{time.Minute, ack(1), nil}, // nothing is outstanding any more
		step{2 * time.Minute, Timeout{Expire}, nil},
	))
}

func TestDropWhileSelecting(t *testing.T) {
	run(t, newMachine(&fakeRand{}), []step{
		acquire[0],
		{time.Second, Drop{}, []string{"stop retransmit", "SELECTING->INIT"}},
		{2 * time.Second, offer(1), nil},
	})
}

func TestRelease(t *testing.T) {
	m := newMachine(&fakeRand{})
	run(t, m, append(acquire[:3:3],
		step{time.Minute, Release{}, []string{
			"send RELEASE xid=2 secs=0 ciaddr=198.18.0.100 sid=198.18.0.1 198.18.0.100->198.18.0.1",
			"stop expire", "remove " + strings.TrimPrefix(bound, "apply "), "BOUND->INIT"}},
		// Start again from INIT works as the first time.
		step{2 * time.Minute, Start{}, []string{"INIT->SELECTING", "send DISCOVER xid=3 secs=0", "arm retransmit at 2m4s"}},
	))
}

func TestStartIsIgnoredOnceStarted(t *testing.T) {
	run(t, newMachine(&fakeRand{}), []step{acquire[0], {time.Second, Start{}, nil}})
}

func mustAddr(s string) (a netip.Addr) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}
