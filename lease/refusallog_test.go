package lease

import (
	"testing"
	"time"
)

// TestRefusalLog: one line per reason and RefusalLogEvery, the next saying
// how many were left out; reasons are limited apart.
func TestRefusalLog(t *testing.T) {
	var l RefusalLog
	at := func(d time.Duration, r Reason) Refusal { return Refusal{At: t0.Add(d), Reason: r} }
	type want struct {
		ok         bool
		suppressed int
	}
	for i, tc := range []struct {
		r    Refusal
		want want
	}{
		{at(0, ReasonBadAddress), want{true, 0}},
		{at(time.Millisecond, ReasonBadAddress), want{false, 0}},
		{at(time.Second, ReasonNak), want{true, 0}},
		{at(RefusalLogEvery-time.Nanosecond, ReasonBadAddress), want{false, 0}},
		{at(RefusalLogEvery, ReasonBadAddress), want{true, 2}},
		{at(RefusalLogEvery+time.Second, ReasonNak), want{true, 0}},
		{at(2*RefusalLogEvery, ReasonBadAddress), want{true, 0}},
		{at(0, NumReasons), want{true, 0}}, // out of range: logged, never an index
	} {
		ok, n := l.Log(tc.r)
		if got := (want{ok, n}); got != tc.want {
			t.Errorf("%d: Log(%v at %v) = %+v, want %+v", i, tc.r.Reason, tc.r.At.Sub(t0), got, tc.want)
		}
	}
}
