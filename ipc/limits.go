package ipc

import (
	"sync"
	"time"

	"go.uber.org/zap"
)

// Limits bound what callers other than root can hold of the server, so an
// unprivileged user can neither exhaust the agent's descriptors nor its
// memory (SPEC §3). Root (uid 0) is never refused for a limit: the
// operator can always reach an agent under attack. A zero field takes its
// DefaultLimits value.
type Limits struct {
	// ConnsPerUID bounds the connections being served for one uid.
	ConnsPerUID int
	// Conns bounds the connections being served for every uid but 0.
	Conns int
	// WatchesPerUID bounds one uid's watch streams.
	WatchesPerUID int
	// Watches bounds the watch streams of every uid but 0.
	Watches int
}

// DefaultLimits are the limits of a Server whose Limits are zero. A watch
// stream buffers up to 256 events (about 100 KB), so 64 of them cost at
// most a few MB.
var DefaultLimits = Limits{ConnsPerUID: 32, Conns: 256, WatchesPerUID: 4, Watches: 64}

func (l Limits) withDefaults() Limits {
	pick := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	return Limits{
		ConnsPerUID:   pick(l.ConnsPerUID, DefaultLimits.ConnsPerUID),
		Conns:         pick(l.Conns, DefaultLimits.Conns),
		WatchesPerUID: pick(l.WatchesPerUID, DefaultLimits.WatchesPerUID),
		Watches:       pick(l.Watches, DefaultLimits.Watches),
	}
}

// Reasons a connection or request is refused, the label of the
// dhcpagent_ipc_refused_total counter.
const (
	RefusedConnsPerUID   = "conns_per_uid"   // the uid has Limits.ConnsPerUID connections
	RefusedConns         = "conns"           // unprivileged uids have Limits.Conns connections
	RefusedWatchesPerUID = "watches_per_uid" // the uid has Limits.WatchesPerUID watch streams
	RefusedWatches       = "watches"         // unprivileged uids have Limits.Watches streams
	RefusedDescriptors   = "descriptors"     // accept failed with EMFILE or ENFILE
	RefusedAccept        = "accept"          // accept failed otherwise
	RefusedTimeout       = "timeout"         // the request was not complete in time
	RefusedMalformed     = "malformed"       // the request broke the protocol
	RefusedCredentials   = "credentials"     // SO_PEERCRED failed
)

// RefusalReasons lists every reason, for exporting them all from the start.
var RefusalReasons = []string{RefusedConnsPerUID, RefusedConns, RefusedWatchesPerUID, RefusedWatches,
	RefusedDescriptors, RefusedAccept, RefusedTimeout, RefusedMalformed, RefusedCredentials}

// logEvery is how often a refusal of one reason is logged at most; the
// ones in between are counted and their number logged with the next.
const logEvery = time.Second

// quota counts what unprivileged uids hold of one resource (connections,
// watch streams): per uid and in all. Root is never counted.
type quota struct {
	mu             sync.Mutex
	perUID         map[uint32]int
	total          int
	maxPerUID, max int
	perUIDReason   string // the refusal when one uid holds maxPerUID
	totalReason    string // the refusal when unprivileged uids hold max
}

// take reserves one for uid, or says which limit refuses it.
func (q *quota) take(uid uint32) (ok bool, reason string, limit int) {
	if uid == 0 {
		return true, "", 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.perUID[uid] >= q.maxPerUID:
		return false, q.perUIDReason, q.maxPerUID
	case q.total >= q.max:
		return false, q.totalReason, q.max
	}
	q.perUID[uid]++
	q.total++
	return true, "", 0
}

// put gives back what take reserved for uid.
func (q *quota) put(uid uint32) {
	if uid == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.total--
	if q.perUID[uid]--; q.perUID[uid] <= 0 {
		delete(q.perUID, uid)
	}
}

// usage counts what unprivileged uids hold, and every refusal.
type usage struct {
	conns   quota
	watches quota

	mu         sync.Mutex // guards the refusal counts below
	refused    map[string]uint64
	lastLogged map[string]time.Time
	quiet      map[string]uint64 // refusals not logged since the last line
}

func newUsage(l Limits) *usage {
	l = l.withDefaults()
	return &usage{
		conns: quota{perUID: map[uint32]int{}, maxPerUID: l.ConnsPerUID, max: l.Conns,
			perUIDReason: RefusedConnsPerUID, totalReason: RefusedConns},
		watches: quota{perUID: map[uint32]int{}, maxPerUID: l.WatchesPerUID, max: l.Watches,
			perUIDReason: RefusedWatchesPerUID, totalReason: RefusedWatches},
		refused: map[string]uint64{}, lastLogged: map[string]time.Time{}, quiet: map[string]uint64{}}
}

// refuse counts a refusal and logs it, at most once per logEvery for each
// reason: a flood of refusals costs the attacker, not the log.
func (u *usage) refuse(log *zap.Logger, now time.Time, reason string, fields ...zap.Field) {
	u.mu.Lock()
	u.refused[reason]++
	last, seen := u.lastLogged[reason]
	if seen && now.Sub(last) < logEvery {
		u.quiet[reason]++
		u.mu.Unlock()
		return
	}
	quiet := u.quiet[reason]
	u.quiet[reason] = 0
	u.lastLogged[reason] = now
	u.mu.Unlock()
	fields = append(fields, zap.String("reason", reason), zap.Uint64("unlogged_since_last", quiet))
	log.Warn("control connection refused", fields...)
}

// snapshot returns the refusals counted so far, by reason.
func (u *usage) snapshot() map[string]uint64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := make(map[string]uint64, len(RefusalReasons))
	for _, r := range RefusalReasons {
		m[r] = u.refused[r]
	}
	return m
}
