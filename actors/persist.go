package actors

import (
	"errors"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/store"
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
// interface's recorder (store.Recorder).
func (a *iface) persist(l *lease.Lease) {
	if a.env.Store == nil {
		return
	}
	now := a.env.Clock.Now()
	rec := &store.Lease{Ifname: a.link.Name, Address: l.Addr.String(),
		FirstACK: store.Encode(l.FirstACK), FirstACKTime: wallOf(now),
		ACK: store.Encode(l.ACK), ACKTime: wallOf(now), Began: wallOf(l.Began)}
	if old, _ := a.rec.LoadLease(); old != nil && old.FirstACK == rec.FirstACK {
		rec.FirstACKTime = old.FirstACKTime
	}
	a.rec.SetLease(rec)
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
	st := a.env.Store
	if st == nil {
		return
	}
	primary, link, iaid, log := a.inc.primary, a.link, a.env.IAID, a.log
	a.rec.Do(func() {
		err := st.UpdateInterface(link.Name, func(r *store.Interface) {
			r.Managed = on
			if on && r.IAID == nil && iaid != nil {
				// The IAID in the client id of the lease to come (RFC 4361
				// §6): kept from now on, even if the MAC changes.
				v := iaid(link)
				r.IAID = &v
			}
		})
		if err == nil {
			err = st.UpdateHost(func(h *store.Host) {
				switch {
				case on && primary:
					h.Primary = link.Name
				case !on && h.Primary == link.Name:
					h.Primary = ""
				}
			})
		}
		if err != nil {
			log.Error("recording the managed interfaces failed", zap.Error(err))
		}
	})
}

// wallOf strips the monotonic reading: records hold wall-clock times.
func wallOf(t time.Time) time.Time { return t.Round(0).UTC() }
