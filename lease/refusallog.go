package lease

import "time"

// RefusalLogEvery is how often a refusal of one reason is logged per
// interface: a hostile server may send thousands of junk replies a second,
// and each must cost it, not the log (issue 12). The counters and status
// still see every one.
const RefusalLogEvery = 10 * time.Second

// RefusalLog rate-limits the log of one interface's refusals, per reason.
// The zero value logs the first of each reason.
type RefusalLog struct {
	last  [NumReasons]time.Time
	quiet [NumReasons]int // refusals not logged since the last line
}

// Log reports whether r is to be logged: not when one of the same reason
// was logged less than RefusalLogEvery before it. When it is, suppressed
// is how many of that reason were left out since the last line.
func (l *RefusalLog) Log(r Refusal) (ok bool, suppressed int) {
	if r.Reason >= NumReasons {
		return true, 0
	}
	if last := l.last[r.Reason]; !last.IsZero() && r.At.Sub(last) < RefusalLogEvery {
		l.quiet[r.Reason]++
		return false, 0
	}
	suppressed = l.quiet[r.Reason]
	l.last[r.Reason], l.quiet[r.Reason] = r.At, 0
	return true, suppressed
}
