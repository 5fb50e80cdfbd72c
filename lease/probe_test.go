package lease

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestProbeWaitAtBoot: a start the agent makes on its own waits a random
// 0..PROBE_WAIT before its first probe (RFC 5227 §2.1.1); the draw's
// extremes land at the ends of the window.
func TestProbeWaitAtBoot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pick  func(int64) int64
		first string // the first probe's instant: the ACK at 0.6 s + the draw
	}{
		{"lowest draw", func(int64) int64 { return 0 }, "600ms"},
		{"middle draw", nil, "1.1s"},
		{"highest draw", func(n int64) int64 { return n - 1 }, "1.6s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &fakeRand{}
			m := New(Config{HWAddr: hw, ARPProbe: true}, r)
			run(t, m, []step{
				{0, Start{Boot: true}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
				{500 * time.Millisecond, offer(1), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4.5s"}},
			})
			r.pick = tc.pick // for the PROBE_WAIT draw
			run(t, m, []step{
				// PRE_BOUND, but nothing on the wire until the wait is over.
				{600 * time.Millisecond, ack(1), []string{"stop retransmit", "REQUESTING->PRE_BOUND", "arm probe at " + tc.first}},
			})
			if !m.Status().Probing {
				t.Fatal("ARP is not watched during PROBE_WAIT")
			}
		})
	}
	// The wait is over: the probes follow as after any start.
	run(t, New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{}), []step{
		{0, Start{Boot: true}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		{500 * time.Millisecond, offer(1), []string{"SELECTING->REQUESTING", request1, "arm retransmit at 4.5s"}},
		{600 * time.Millisecond, ack(1), []string{"stop retransmit", "REQUESTING->PRE_BOUND", "arm probe at 1.1s"}},
		{1100 * time.Millisecond, Timeout{Probe}, []string{"arp probe 198.18.0.100", "arm probe at 2.6s"}},
	})
}

// TestProbeWaitOnlyAfterBootStarts: an operator's start probes at once
// (TestProbeThenBind); the resumed lease of a boot start waits; and the
// wait is spent once: the probe after a DECLINE does not wait again.
func TestProbeWaitOnlyAfterBootStarts(t *testing.T) {
	cfg := Config{HWAddr: hw, ARPProbe: true}
	run(t, New(cfg, &fakeRand{}), []step{
		{0, Command{ID: 1, Op: OpStart, Prior: prior(), Boot: true}, []string{"INIT->INIT_REBOOT", sprintf(rebootReq, 0), "arm retransmit at 4s"}},
		{time.Second, ack(1), []string{"stop retransmit", "INIT_REBOOT->PRE_BOUND", "arm probe at 1.5s"}},
		{1200 * time.Millisecond, ARPSeen{SenderHW: otherHW, SenderIP: mustAddr("198.18.0.100")}, []string{"refused declined", "stop probe",
			"send DECLINE xid=2 secs=0 req=198.18.0.100 sid=198.18.0.1", "notify DECLINE", "PRE_BOUND->DECLINING", "arm wait at 11.2s"}},
		{11200 * time.Millisecond, Timeout{Wait}, []string{"DECLINING->SELECTING", "send DISCOVER xid=3 secs=0", "arm retransmit at 15.2s"}},
		{11300 * time.Millisecond, offer(3), []string{"SELECTING->REQUESTING",
			"send REQUEST xid=3 secs=0 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 15.3s"}},
		{11400 * time.Millisecond, ack(3), []string{"stop retransmit", "REQUESTING->PRE_BOUND", "arp probe 198.18.0.100", "arm probe at 12.9s"}},
	})
	// A drop forgets the boot start: the operator's next start probes at once.
	run(t, New(cfg, &fakeRand{}), []step{
		{0, Start{Boot: true}, []string{"INIT->SELECTING", discover1, "arm retransmit at 4s"}},
		{time.Second, Drop{}, []string{"stop retransmit", "SELECTING->INIT", "notify DROP"}},
		{2 * time.Second, Start{}, []string{"INIT->SELECTING", "send DISCOVER xid=2 secs=0", "arm retransmit at 6s"}},
		{2500 * time.Millisecond, offer(2), []string{"SELECTING->REQUESTING",
			"send REQUEST xid=2 secs=0 req=198.18.0.100 sid=198.18.0.1", "arm retransmit at 6.5s"}},
		{2600 * time.Millisecond, ack(2), []string{"stop retransmit", "REQUESTING->PRE_BOUND", "arp probe 198.18.0.100", "arm probe at 4.1s"}},
	})
}

// TestProbeInstantsWithinRFC5227Windows drives the machine on a fake clock
// with random draws, firing its timers as they come due, and checks every
// instant of the RFC 5227 exchange against the RFC's windows: the first
// probe 0..PROBE_WAIT after the ACK (boot start) or at once (operator's
// start), PROBE_MIN..PROBE_MAX between probes, the address used
// ANNOUNCE_WAIT after the last probe, the announcements ANNOUNCE_INTERVAL
// apart.
func TestProbeInstantsWithinRFC5227Windows(t *testing.T) {
	for seed := range uint64(200) {
		boot := seed%2 == 0
		src := rand.New(rand.NewPCG(seed, 13))
		m := New(Config{HWAddr: hw, ARPProbe: true}, &fakeRand{pick: func(n int64) int64 { return src.Int64N(n) }})
		timers := map[Timer]time.Time{}
		var probes, announces []time.Time
		var applied time.Time
		do := func(now time.Time, ev Event) {
			for _, a := range m.Handle(now, ev) {
				switch a := a.(type) {
				case ArmTimer:
					timers[a.Timer] = a.At
				case StopTimer:
					delete(timers, a.Timer)
				case SendARP:
					if a.Op == ARPProbe {
						probes = append(probes, now)
					} else {
						announces = append(announces, now)
					}
				case Apply:
					applied = now
				}
			}
		}
		do(t0, Start{Boot: boot})
		do(t0.Add(10*time.Millisecond), offer(1))
		ackAt := t0.Add(20 * time.Millisecond)
		do(ackAt, ack(1))
		// Fire the probe timer until both announcements are out.
		for len(announces) < announceNum {
			at, ok := timers[Probe]
			if !ok {
				t.Fatalf("seed %d: probe timer not armed after %d probes, %d announcements", seed, len(probes), len(announces))
			}
			delete(timers, Probe)
			do(at, Timeout{Probe})
		}
		if len(probes) != probeNum {
			t.Fatalf("seed %d: %d probes, want %d", seed, len(probes), probeNum)
		}
		within := func(what string, d, lo, hi time.Duration) {
			if d < lo || d > hi {
				t.Errorf("seed %d (boot %v): %s %v, outside [%v, %v]", seed, boot, what, d, lo, hi)
			}
		}
		if boot {
			within("PROBE_WAIT", probes[0].Sub(ackAt), 0, probeWait)
		} else {
			within("first probe after the ACK", probes[0].Sub(ackAt), 0, 0)
		}
		for i := 1; i < len(probes); i++ {
			within("probe interval", probes[i].Sub(probes[i-1]), probeMin, probeMax)
		}
		within("ANNOUNCE_WAIT", applied.Sub(probes[len(probes)-1]), announceWait, announceWait)
		within("first announcement after use", announces[0].Sub(applied), 0, 0)
		within("ANNOUNCE_INTERVAL", announces[1].Sub(announces[0]), announceInterval, announceInterval)
	}
}
