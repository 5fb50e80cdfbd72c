package agent

import (
	"context"
	"time"

	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/vishvananda/netlink"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// watchLinks follows link changes from netlink and reports carrier changes,
// deletions and links it had not seen (SPEC §2) until ctx ends. Only
// changes are reported.
func watchLinks(ctx context.Context, log *zap.Logger, report func(*messages.Link)) {
	updates := make(chan netlink.LinkUpdate, 256)
	err := netlink.LinkSubscribeWithOptions(updates, ctx.Done(), netlink.LinkSubscribeOptions{
		ErrorCallback: func(err error) { log.Warn("link watch", zap.Error(err)) },
	})
	if err != nil {
		log.Error("cannot watch links: carrier changes will go unnoticed", zap.Error(err))
		return
	}
	carrier := map[int]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			a := u.Link.Attrs()
			if u.Header.Type == unix.RTM_DELLINK {
				delete(carrier, a.Index)
				report(&messages.Link{Ifname: a.Name, Deleted: true})
				continue
			}
			up := u.IfInfomsg.Flags&unix.IFF_UP != 0 && u.IfInfomsg.Flags&unix.IFF_LOWER_UP != 0
			if was, seen := carrier[a.Index]; seen && was == up {
				continue
			}
			first := !hasKey(carrier, a.Index)
			carrier[a.Index] = up
			// The first report of a link tells the manager it exists: a
			// managed interface whose link had gone resumes.
			report(&messages.Link{Ifname: a.Name, Up: up, Appeared: first})
		}
	}
}

func hasKey(m map[int]bool, k int) bool { _, ok := m[k]; return ok }

// clockSlack is how far the wall clock may drift from the monotonic clock
// between two ticks before it counts as a jump (or a resume from suspend,
// during which the monotonic clock stands still).
const clockSlack = 2 * time.Second

// watchClock reports jumps of the wall clock relative to the monotonic one.
func watchClock(ctx context.Context, log *zap.Logger, report func()) {
	const tick = 5 * time.Second
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			mono := now.Sub(last)                   // monotonic readings
			wall := now.Round(0).Sub(last.Round(0)) // wall-clock readings
			last = now
			if d := wall - mono; d > clockSlack || d < -clockSlack {
				log.Warn("wall clock jumped: verifying leases", zap.Duration("jump", d))
				report()
			}
		}
	}
}
