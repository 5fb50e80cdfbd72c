package lease

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

var static = netip.MustParsePrefix("198.18.0.50/24")

// reach drives a fresh machine into a state through ordinary events and
// returns it with the time reached.
type reach func(t *testing.T) (*Machine, time.Time)

func via(cfg func(*Config), evs ...Event) reach {
	return func(t *testing.T) (*Machine, time.Time) {
		c := Config{HWAddr: hw, MaxMessageSize: 1500}
		if cfg != nil {
			cfg(&c)
		}
		m := New(c, &fakeRand{})
		now := t0
		for _, ev := range evs {
			if to, ok := ev.(Timeout); ok {
				now = m.armed[to.Timer] // fire it when due
			}
			m.Handle(now, ev)
		}
		return m, now
	}
}

func bootpReply() Event {
	b := reply(dhcpv4.MessageTypeNone, 1, dhcpv4.WithYourIP(offered), dhcpv4.WithServerIP(server),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)), dhcpv4.WithOption(dhcpv4.OptRouter(server)))
	b.Options.Del(dhcpv4.OptionDHCPMessageType)
	return Received{b}
}

func probing(c *Config)    { c.ARPProbe = true }
func selectWait(c *Config) { c.SelectWait = time.Minute }

var conflict = ARPSeen{SenderHW: otherHW, SenderIP: mustAddr("198.18.0.100"), TargetIP: mustAddr("198.18.0.100")}

// TestAdmission covers every (state x command) cell of SPEC §3. A cell
// is the immediate answer ("wait" when the command is admitted and waits
// for a later event; "ends" for an immediate success that ends
// management), then the state the command leaves.
func TestAdmission(t *testing.T) {
	ops := []Op{OpStart, OpExtend, OpRelease, OpDrop, OpInform, OpPing, OpStatus, OpInfo}
	rows := []struct {
		state string
		reach reach
		want  []string // one per op, in ops order
	}{
		{"INIT", via(nil),
			[]string{"wait SELECTING", "OUTSTATE INIT", "OUTSTATE INIT", "ends INIT", "wait INFORM_SENT", "OK INIT", "OK INIT", "OUTSTATE INIT"}},
		{"INIT starting", via(selectWait, Command{ID: 99, Op: OpStart}),
			[]string{"PEND INIT", "OUTSTATE INIT", "OUTSTATE INIT", "ends INIT", "PEND INIT", "OK INIT", "OK INIT", "OUTSTATE INIT"}},
		{"SELECTING", via(nil, Start{}),
			[]string{"RUNNING SELECTING", "OUTSTATE SELECTING", "OUTSTATE SELECTING", "ends INIT", "OUTSTATE SELECTING", "OK SELECTING", "OK SELECTING", "OUTSTATE SELECTING"}},
		{"REQUESTING", via(nil, Start{}, offer(1)),
			[]string{"RUNNING REQUESTING", "OUTSTATE REQUESTING", "OUTSTATE REQUESTING", "ends INIT", "OUTSTATE REQUESTING", "OK REQUESTING", "OK REQUESTING", "OUTSTATE REQUESTING"}},
		{"PRE_BOUND", via(probing, Start{}, offer(1), ack(1)),
			[]string{"RUNNING PRE_BOUND", "wait PRE_BOUND", "ends INIT", "ends INIT", "OUTSTATE PRE_BOUND", "OK PRE_BOUND", "OK PRE_BOUND", "OUTSTATE PRE_BOUND"}},
		{"BOUND", via(nil, Start{}, offer(1), ack(1)),
			[]string{"RUNNING BOUND", "wait RENEWING", "ends INIT", "ends INIT", "OUTSTATE BOUND", "OK BOUND", "OK BOUND", "OK BOUND"}},
		{"BOUND (BOOTP)", via(nil, Start{}, bootpReply()),
			[]string{"RUNNING BOUND", "BOOTP BOUND", "BOOTP BOUND", "ends INIT", "BOOTP BOUND", "OK BOUND", "OK BOUND", "OK BOUND"}},
		{"RENEWING", via(nil, Start{}, offer(1), ack(1), Timeout{Renew}),
			[]string{"RUNNING RENEWING", "wait RENEWING", "ends INIT", "ends INIT", "OUTSTATE RENEWING", "OK RENEWING", "OK RENEWING", "OK RENEWING"}},
		{"REBINDING", via(nil, Start{}, offer(1), ack(1), Timeout{Renew}, Timeout{Rebind}),
			[]string{"RUNNING REBINDING", "wait REBINDING", "ends INIT", "ends INIT", "OUTSTATE REBINDING", "OK REBINDING", "OK REBINDING", "OK REBINDING"}},
		{"INIT_REBOOT", via(nil, Start{Prior: prior()}),
			[]string{"RUNNING INIT_REBOOT", "OUTSTATE INIT_REBOOT", "ends INIT", "ends INIT", "OUTSTATE INIT_REBOOT", "OK INIT_REBOOT", "OK INIT_REBOOT", "OUTSTATE INIT_REBOOT"}},
		{"INFORM_SENT", via(nil, Inform{Addr: static}),
			[]string{"wait SELECTING", "OUTSTATE INFORM_SENT", "OUTSTATE INFORM_SENT", "ends INIT", "wait INFORM_SENT", "OK INFORM_SENT", "OK INFORM_SENT", "OUTSTATE INFORM_SENT"}},
		{"INFORMATION", via(nil, Inform{Addr: static}, ack(1)),
			[]string{"wait SELECTING", "OUTSTATE INFORMATION", "OUTSTATE INFORMATION", "ends INIT", "wait INFORM_SENT", "OK INFORMATION", "OK INFORMATION", "OK INFORMATION"}},
		{"DECLINING", via(probing, Start{}, offer(1), ack(1), conflict),
			[]string{"RUNNING DECLINING", "OUTSTATE DECLINING", "OUTSTATE DECLINING", "ends INIT", "OUTSTATE DECLINING", "OK DECLINING", "OK DECLINING", "OUTSTATE DECLINING"}},
		{"V6ONLY", via(v6Preferred, Start{}, offer(1, v6OnlyOpt(0))),
			[]string{"RUNNING V6ONLY", "OUTSTATE V6ONLY", "OUTSTATE V6ONLY", "ends INIT", "OUTSTATE V6ONLY", "OK V6ONLY", "OK V6ONLY", "OUTSTATE V6ONLY"}},
		// RELEASING is never entered: RELEASE is sent and the lease
		// removed within one event.
	}
	for _, row := range rows {
		for i, op := range ops {
			t.Run(row.state+"/"+op.String(), func(t *testing.T) {
				m, now := row.reach(t)
				if got := m.State().String(); !strings.HasPrefix(row.state, got) {
					t.Fatalf("reached %s, want %s", got, row.state)
				}
				acts := m.Handle(now, Command{ID: 1, Op: op, Addr: static, Option: "router"})
				got := cell(acts, 1) + " " + m.State().String()
				if got != row.want[i] {
					t.Errorf("%s in %s: got %q, want %q", op, row.state, got, row.want[i])
				}
			})
		}
	}
}

// cell renders the answer to id among acts.
func cell(acts []Action, id uint64) string {
	for _, a := range acts {
		r, ok := a.(Reply)
		if !ok || r.ID != id {
			continue
		}
		switch {
		case r.Code != CodeOK:
			return string(r.Code)
		case r.Ends:
			return "ends"
		}
		return "OK"
	}
	return "wait"
}

// answers lists the replies among acts as "ID CODE" lines ("ID OK", with
// "+status" or "+ends").
func answers(acts []Action) []string {
	var out []string
	for _, a := range acts {
		switch a := a.(type) {
		case Reply:
			s := sprintf("%d %s", a.ID, a.Code)
			if a.Code == CodeOK {
				s = sprintf("%d OK", a.ID)
			}
			if a.Status {
				s += "+status"
			}
			if a.Ends {
				s += "+ends"
			}
			out = append(out, s)
		case Persist:
			out = append(out, "persist")
		case Forget:
			out = append(out, "forget")
		case Manage:
			out = append(out, sprintf("manage %d %v", a.ID, a.On))
		case Withdrawn:
			out = append(out, sprintf("%d withdrawn", a.ID))
		case Primary:
			out = append(out, sprintf("%d may be primary", a.ID))
		}
	}
	return out
}

// TestCommandOutcomes: which event answers which waiting command, and
// when the record is written or forgotten.
func TestCommandOutcomes(t *testing.T) {
	type ev struct {
		at   time.Duration
		ev   Event
		want []string
	}
	for _, tc := range []struct {
		name   string
		script []ev
	}{
		{"start answered when bound, record written", []ev{
			{0, Command{ID: 1, Op: OpStart}, []string{"1 may be primary", "manage 1 true"}},
			{time.Second, offer(1), nil},
			{time.Second, ack(1), []string{"persist", "1 OK+status"}},
		}},
		{"a start of a bound interface may take the primary, answered RUNNING", []ev{
			{0, Start{}, nil}, {0, offer(1), nil}, {0, ack(1), []string{"persist"}},
			{time.Second, Command{ID: 2, Op: OpStart}, []string{"2 may be primary", "2 RUNNING"}},
		}},
		{"a start answered PEND may not take the primary", []ev{
			{0, Command{ID: 1, Op: OpInform, Addr: static}, nil},
			{time.Second, Command{ID: 2, Op: OpStart}, []string{"2 PEND"}},
		}},
		{"extend answered by the ACK", []ev{
			{0, Start{}, nil}, {0, offer(1), nil}, {0, ack(1), []string{"persist"}},
			{time.Second, Command{ID: 2, Op: OpExtend}, nil},
			{time.Second, Command{ID: 3, Op: OpRelease}, []string{"3 PEND"}},
			{2 * time.Second, ack(2), []string{"persist", "2 OK+status"}},
		}},
		{"extend refused by a NAK", []ev{
			{0, Start{}, nil}, {0, offer(1), nil}, {0, ack(1), []string{"persist"}},
			{time.Second, Command{ID: 2, Op: OpExtend}, nil},
			{2 * time.Second, nak(2), []string{"forget", "2 OUTSTATE", "forget"}},
		}},
		{"a cancelled extend no longer holds up release", []ev{
			{0, Start{}, nil}, {0, offer(1), nil}, {0, ack(1), []string{"persist"}},
			{time.Second, Command{ID: 2, Op: OpExtend}, nil},
			{2 * time.Second, Cancel{ID: 2}, []string{"2 withdrawn"}},
			{2 * time.Second, Cancel{ID: 2}, nil},
			{3 * time.Second, Command{ID: 3, Op: OpRelease}, []string{"manage 3 false", "forget", "3 OK+status+ends"}},
		}},
		{"a release already answered is not withdrawn (its reply may wait behind the hook)", []ev{
			{0, Start{}, nil}, {0, offer(1), nil}, {0, ack(1), []string{"persist"}},
			{time.Second, Command{ID: 2, Op: OpRelease}, []string{"manage 2 false", "forget", "2 OK+status+ends"}},
			{time.Second, Cancel{ID: 2}, nil},
			{time.Second, Command{ID: 3, Op: OpStart}, []string{"3 may be primary", "manage 3 true"}},
		}},
		{"the agent's stop is never withdrawn", []ev{
			{0, Command{ID: 1, Op: OpStart}, []string{"1 may be primary", "manage 1 true"}},
			{time.Second, Cancel{ID: 1}, []string{"1 withdrawn"}},
			{time.Second, Stop{ID: 2}, []string{"2 OK+status+ends"}},
		}},
		{"an answered command is not withdrawn", []ev{
			{0, Command{ID: 1, Op: OpPing}, []string{"1 OK"}},
			{0, Cancel{ID: 1}, nil},
		}},
		{"drop keeps the record and fails a waiting start", []ev{
			{0, Command{ID: 1, Op: OpStart}, []string{"1 may be primary", "manage 1 true"}},
			{time.Second, Command{ID: 2, Op: OpDrop}, []string{"manage 2 false", "1 OUTSTATE", "2 OK+status+ends"}},
		}},
		{"stop answers the waiting SHUTDOWN and releases", []ev{
			{0, Start{}, nil}, {0, offer(1), nil}, {0, ack(1), []string{"persist"}},
			{time.Second, Command{ID: 2, Op: OpExtend}, nil},
			{2 * time.Second, Stop{ID: 3, Release: true}, []string{"forget", "2 SHUTDOWN", "3 OK+status+ends"}},
		}},
		{"stop drops a BOOTP lease", []ev{
			{0, Start{}, nil}, {0, bootpReply(), []string{"persist"}},
			{2 * time.Second, Stop{ID: 3, Release: true}, []string{"3 OK+status+ends"}},
		}},
		{"an unanswered inform times out", []ev{
			{0, Command{ID: 1, Op: OpInform, Addr: static}, nil},
			{4 * time.Second, Timeout{Retransmit}, nil},
			{12 * time.Second, Timeout{Retransmit}, nil},
			{28 * time.Second, Timeout{Retransmit}, nil},
			{60 * time.Second, Timeout{Retransmit}, []string{"1 TIMEOUT"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(&fakeRand{})
			for i, s := range tc.script {
				got := answers(m.Handle(t0.Add(s.at), s.ev))
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Fatalf("step %d (%T): (-want +got):\n%s", i, s.ev, diff)
				}
			}
		})
	}
}

// TestInfoCommand: an absent option is OK with no value (illumos GET_TAG);
// a bad argument is INVALID.
func TestInfoCommand(t *testing.T) {
	m, now := via(nil, Start{}, offer(1), ack(1))(t)
	for _, tc := range []struct {
		option string
		want   Reply
	}{
		{"router", Reply{ID: 1, Values: []string{"198.18.0.1"}, Raw: []byte{198, 18, 0, 1}}},
		{"ntp", Reply{ID: 1}},
		{"field:9223372036854775807:1", Reply{ID: 1, Code: CodeInvalid}},
	} {
		acts := m.Handle(now, Command{ID: 1, Op: OpInfo, Option: tc.option})
		if len(acts) != 1 {
			t.Fatalf("info %s: %d actions", tc.option, len(acts))
		}
		got := acts[0].(Reply)
		got.Reason = ""
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("info %s (-want +got):\n%s", tc.option, diff)
		}
	}
}

// TestRetried: a restart retries only a start (issue 10).
func TestRetried(t *testing.T) {
	for op := OpStart; op <= OpInfo; op++ {
		if got, want := op.Retried(), op == OpStart; got != want {
			t.Errorf("%s.Retried() = %v, want %v", op, got, want)
		}
	}
}
