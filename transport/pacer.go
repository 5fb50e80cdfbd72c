package transport

import "time"

// Pacer is a token bucket that spreads transmissions across all interfaces:
// up to Burst messages at once, then one every 1/Rate. It is pure; the
// caller supplies the time.
type Pacer struct {
	interval time.Duration
	burst    time.Duration // how far behind now the schedule may lag
	next     time.Time     // earliest instant the next message may leave
}

// NewPacer returns a pacer allowing rate messages per second with bursts of
// burst messages. A rate of zero disables pacing.
func NewPacer(rate, burst int) *Pacer {
	if rate <= 0 {
		return &Pacer{}
	}
	iv := time.Second / time.Duration(rate)
	return &Pacer{interval: iv, burst: iv * time.Duration(max(burst, 1))}
}

// Reserve books the next slot and returns how long to wait before sending.
func (p *Pacer) Reserve(now time.Time) time.Duration {
	if p.interval == 0 {
		return 0
	}
	if earliest := now.Add(-p.burst); p.next.Before(earliest) {
		p.next = earliest // an idle bucket refills up to the burst
	}
	p.next = p.next.Add(p.interval)
	return max(p.next.Sub(now), 0)
}
