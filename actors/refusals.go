package actors

import (
	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// malformed records a reply for the transaction that did not decode
// (issue 12: malformed replies logged with a reason, and shown by status).
func (a *iface) malformed(err error) {
	r := lease.Refusal{At: a.env.Clock.Now(), Reason: lease.ReasonMalformed, Detail: "malformed reply: " + err.Error()}
	a.m.Record(r.At, r.Reason, r.Detail)
	a.logRefusal(r)
}

// logRefusal logs r with its reason and detail unless lease.RefusalLog
// holds it back; the line says how many were left out since the last.
func (a *iface) logRefusal(r lease.Refusal) {
	if ok, suppressed := a.refusals.Log(r); ok {
		a.log.Warn("refused", zap.Stringer("reason", r.Reason), zap.String("detail", r.Detail),
			zap.Stringer("state", a.m.State()), zap.Int("suppressed", suppressed))
	}
}
