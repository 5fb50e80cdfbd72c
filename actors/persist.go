package actors

import (
	"errors"

	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// restore reads the interface's lease record. It returns the lease when it
// is still valid, and whether its address is on the interface already (a
// restart after kill -9 or a crash: adopt it without removing it).
func (a *iface) restore() (prior *lease.Lease, adopted bool) {
	if a.env.Store == nil {
		return nil, false
	}
	rec, err := a.rec.LoadLease()
	if err != nil || rec == nil {
		if err != nil {
			a.log.Error("reading the lease record failed", zap.Error(err))
		}
		return nil, false
	}
	first, latest, err := rec.Packets()
	if err == nil {
		prior, err = a.m.Config().Resume(first, latest, rec.Began, a.env.Clock.Now())
	}
	switch {
	case errors.Is(err, lease.ErrExpired):
		a.log.Info("stored lease has expired; acquiring afresh", zap.Stringer("address", prior.Addr))
		return nil, false
	case err != nil:
		a.log.Warn("stored lease unusable; acquiring afresh", zap.Error(err))
		return nil, false
	}
	adopted = a.onLink(prior.Addr)
	a.log.Info("stored lease found", zap.Stringer("address", prior.Addr), zap.Bool("on_interface", adopted),
		zap.Time("expires", prior.Expires()))
	return prior, adopted
}

// persist has the lease record written (the machine's Persist), by the
// interface's recorder (store.Recorder.SetLeaseOf).
func (a *iface) persist(l *lease.Lease) {
	if a.env.Store == nil {
		return
	}
	a.rec.SetLeaseOf(l.Addr.String(), l.FirstACK, l.ACK, l.Began, a.env.Clock.Now())
}

// forget has the lease record deleted (the machine's Forget).
func (a *iface) forget() { a.rec.SetLease(nil) }

// manage records whether the interface is under management, so that the
// next agent resumes it (SPEC §2), and whether it is the primary one: the
// machine's Manage. A temporary ipadm object's start is not resumed
// (SPEC §4: -t is gone after a restart). The recorder writes it.
func (a *iface) manage(m lease.Manage) {
	on := m.On
	if a.pending.Command(m.ID).Temporary() {
		on = false
	}
	if a.env.Store == nil {
		return
	}
	var iaid func() uint32
	if f, link := a.env.IAID, a.link; f != nil {
		iaid = func() uint32 { return f(link) }
	}
	a.rec.Manage(a.env.Store, on, a.inc.primary, iaid)
}
