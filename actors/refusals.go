package actors

import (
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// refusalLogEvery is how often a refusal of one reason is logged per
// interface: a hostile server may send thousands of junk replies a
// second, and each must cost it, not the log (issue 12). The counters
// and status still see every one.
const refusalLogEvery = 10 * time.Second

// refusalLog rate-limits the log of refusals, per reason.
type refusalLog struct {
	last  [lease.NumReasons]time.Time
	quiet [lease.NumReasons]int // refusals not logged since the last line
}

// malformed records a reply for the transaction that did not decode
// (issue 12: malformed replies logged with a reason, and shown by status).
func (a *iface) malformed(err error) {
	r := lease.Refusal{At: a.env.Clock.Now(), Reason: lease.ReasonMalformed, Detail: "malformed reply: " + err.Error()}
	a.m.Record(r.At, r.Reason, r.Detail)
	a.logRefusal(r)
}

// logRefusal logs r with its reason and detail unless one of the same
// reason was logged less than refusalLogEvery ago; the line says how many
// were left out since the last.
func (a *iface) logRefusal(r lease.Refusal) {
	l := &a.refusals
	if last := l.last[r.Reason]; !last.IsZero() && r.At.Sub(last) < refusalLogEvery {
		l.quiet[r.Reason]++
		return
	}
	a.log.Warn("refused", zap.Stringer("reason", r.Reason), zap.String("detail", r.Detail),
		zap.Stringer("state", a.m.State()), zap.Int("suppressed", l.quiet[r.Reason]))
	l.last[r.Reason], l.quiet[r.Reason] = r.At, 0
}
