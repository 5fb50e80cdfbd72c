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

// fakeRand hands out xids 1, 2, 3, ... and a random value chosen by the
// test: by default the middle of the range, which makes jitter and fuzz
// zero; 0 gives the lowest value and n-1 the highest.
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
			switch a.(type) {
			case Reply, Persist, Forget, Manage, Primary:
				continue // the command scripts (command_test.go) check these
			}
			got = append(got, describe(a))
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Fatalf("step %d (%T at %v): actions (-want +got):\n%s", i, s.ev, s.at, diff)
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
		switch {
		case a.To.IsValid():
			s += fmt.Sprintf(" %v->%v", a.From, a.To)
		case a.From.IsValid():
			s += fmt.Sprintf(" %v->bcast", a.From)
		}
		return s
	case SendARP:
		op := "probe"
		if a.Op == ARPAnnounce {
			op = "announce"
		}
		return fmt.Sprintf("arp %s %v", op, a.Addr)
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
	case Notify:
		return "notify " + string(a.Event)
	case Refused:
		return "refused " + a.Reason.String()
	}
	return fmt.Sprintf("%T", a)
}

func describeLease(l *Lease) string {
	d := l.Duration.String()
	if l.Infinite {
		d = "infinite"
	}
	var routes []string
	for _, r := range l.Routes {
		gw := "link"
		if r.Gw.IsValid() {
			gw = r.Gw.String()
		}
		routes = append(routes, r.Dst.String()+">"+gw)
	}
	s := fmt.Sprintf("%v routes=[%s] lease=%s began=%v", l.Addr, strings.Join(routes, " "), d, l.Began.Sub(t0))
	if l.BOOTP {
		s += " bootp"
	}
	return s
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

// offer, ack and nak are well-formed replies; offer and ack grant
// `offered` for 120 s with router `server`.
func offer(xid uint32, mods ...dhcpv4.Modifier) Event {
	return Received{reply(dhcpv4.MessageTypeOffer, xid, append(good(), mods...)...)}
}

func ack(xid uint32, mods ...dhcpv4.Modifier) Event {
	return Received{reply(dhcpv4.MessageTypeAck, xid, append(good(), mods...)...)}
}

func nak(xid uint32) Event {
	return Received{reply(dhcpv4.MessageTypeNak, xid, dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server)))}
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

func leaseTime(secs uint32) dhcpv4.Modifier { return dhcpv4.WithLeaseTime(secs) }

func newMachine(r *fakeRand) *Machine {
	return New(Config{HWAddr: hw, MaxMessageSize: 1500}, r)
}

const (
	discover1 = "send DISCOVER xid=1 secs=0"
	request1  = "send REQUEST xid=1 secs=0 req=198.18.0.100 sid=198.18.0.1"
	lease1    = "198.18.0.100/24 routes=[0.0.0.0/0>198.18.0.1] lease=2m0s began=500ms"
)

// acquire is the script from INIT to BOUND used as a prefix by other tests:
// DISCOVER at 0, OFFER at 0.5 s, ACK at 0.6 s. The lease counts from the
// REQUEST at 0.5 s: T1 at 60.5 s, T2 at 105.5 s, expiry at 120.5 s.
var acquire = []step{
	{0, Start{}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
	{500 * time.Millisecond, offer(1), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4.5s"}},
	{600 * time.Millisecond, ack(1), []string{"stop retransmit", "apply " + lease1, "REQUESTING->BOUND",
		"notify BOUND", "arm renew at 1m0.5s", "arm rebind at 1m45.5s", "arm expire at 2m0.5s"}},
}

// then appends steps to a copy of a script prefix.
func then(prefix []step, more ...step) []step {
	return append(append([]step(nil), prefix...), more...)
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
