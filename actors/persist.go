package actors

import (
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
	rec, err := a.env.Store.LoadLease(a.link.Name)
	if err != nil || rec == nil {
		if err != nil {
			a.log.Error("reading the lease record failed", zap.Error(err))
		}
		return nil, false
	}
	first, latest, err := rec.Packets()
	if err == nil {
		prior, err = a.m.Config().Restore(first, latest, rec.Began)
	}
	if err != nil {
		a.log.Warn("stored lease unusable; acquiring afresh", zap.Error(err))
		return nil, false
	}
	if !prior.Valid(a.env.Clock.Now()) {
		a.log.Info("stored lease has expired; acquiring afresh", zap.Stringer("address", prior.Addr))
		return nil, false
	}
	adopted = a.onLink(prior.Addr)
	a.log.Info("stored lease found", zap.Stringer("address", prior.Addr), zap.Bool("on_interface", adopted),
		zap.Time("expires", prior.Expires()))
	return prior, adopted
}

// persist keeps the lease record in step with the events (SPEC §2): BOUND
// and EXTEND write it, RELEASE, NAK and EXPIRE forget it, DROP keeps it.
func (a *iface) persist(e lease.EventName) {
	if a.env.Store == nil {
		return
	}
	var err error
	switch e {
	case lease.EventBound, lease.EventExtend:
		l := a.m.Status().Lease
		now := a.env.Clock.Now()
		rec := &store.Lease{Ifname: a.link.Name, Address: l.Addr.String(),
			FirstACK: store.Encode(l.FirstACK), FirstACKTime: wallOf(now),
			ACK: store.Encode(l.ACK), ACKTime: wallOf(now), Began: wallOf(l.Began)}
		if old, _ := a.env.Store.LoadLease(a.link.Name); old != nil && old.FirstACK == rec.FirstACK {
			rec.FirstACKTime = old.FirstACKTime
		}
		err = a.env.Store.SaveLease(rec)
	case lease.EventRelease, lease.EventNak, lease.EventExpire:
		err = a.env.Store.DeleteLease(a.link.Name)
	}
	if err != nil {
		a.log.Error("writing the lease record failed", zap.String("event", string(e)), zap.Error(err))
	}
}

// wallOf strips the monotonic reading: records hold wall-clock times.
func wallOf(t time.Time) time.Time { return t.Round(0).UTC() }
