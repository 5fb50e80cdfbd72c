package store

import (
	"errors"
	"net/netip"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"go.uber.org/zap"
)

// Resume is the lease an interface coming back takes up from its record
// at now (lease.Config.Resume of the record's two ACKs), and whether its
// address is on the interface already (held reports it, from the host's
// addresses: a restart after kill -9 or a crash adopts it without
// removing it). A record with no time left, or one whose ACKs are
// unusable, gives no lease: the interface acquires afresh. log (the
// interface's) says which it was. A nil record gives no lease and logs
// nothing.
func (l *Lease) Resume(c *lease.Config, now time.Time, held func(netip.Prefix) bool, log *zap.Logger) (prior *lease.Lease, adopted bool) {
	if l == nil {
		return nil, false
	}
	first, latest, err := l.Packets()
	if err == nil {
		prior, err = c.Resume(first, latest, l.Began, now)
	}
	switch {
	case errors.Is(err, lease.ErrExpired):
		log.Info("stored lease has expired; acquiring afresh", zap.Stringer("address", prior.Addr))
		return nil, false
	case err != nil:
		log.Warn("stored lease unusable; acquiring afresh", zap.Error(err))
		return nil, false
	}
	adopted = held(prior.Addr)
	log.Info("stored lease found", zap.Stringer("address", prior.Addr), zap.Bool("on_interface", adopted),
		zap.Time("expires", prior.Expires()))
	return prior, adopted
}
