package actors

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
)

// hookQueue runs an interface's hooks one at a time, in event order, and
// holds each event's replies until its hook has exited (SPEC §5). It is
// bounded, so that a storm (a server that NAKs every REQUEST, a flapping
// carrier) costs a few hook runs, never memory or a command's answer:
//   - an event like the one last queued folds into it: the hook runs once,
//     for the latest lease, and holds both events' replies;
//   - beyond maxWaitingHooks waiting, the oldest waiting hook is skipped
//     (its replies go at once);
//   - DROP and RELEASE end the interface's lease: the hooks still waiting
//     are skipped, so drop and release wait for the running hook at most,
//     never behind the queue.
//
// Skips and folds are logged with the events they cost.
type hookQueue struct {
	jobs    []hookJob // waiting, oldest first
	running *hookJob
}

type hookJob struct {
	event   lease.EventName
	env     []string
	replies []lease.Reply
	folded  int    // later events of the same name this run stands for
	seq     uint64 // tells its HookDone from an earlier run's (Env.gens)
}

// maxWaitingHooks bounds the hooks of one interface waiting behind the
// running one. The distinct events of one exchange (EXPIRE, then BOUND
// again; DECLINE, then BOUND) fit several times over.
const maxWaitingHooks = 8

// enqueue schedules the hook of event e with the lease l (nil when none)
// and returns its place in the queue, where the event's replies go, valid
// until the next enqueue. handle starts it once all of the event's actions
// are carried out, so replies describe the finished state (timers armed,
// lease applied).
func (a *iface) enqueue(e lease.EventName, l *lease.Lease) int {
	q := &a.hooks
	env := hookEnv(a.link.Name, e, l)
	if n := len(q.jobs); n > 0 && q.jobs[n-1].event == e {
		last := &q.jobs[n-1]
		last.env = env
		last.folded++
		a.log.Info("hook coalesced with the one waiting", zap.String("event", string(e)),
			zap.Int("events", last.folded+1))
		return n - 1
	}
	if e == lease.EventDrop || e == lease.EventRelease {
		a.skipWaiting(len(q.jobs), "superseded by "+string(e))
	} else if len(q.jobs) >= maxWaitingHooks {
		a.skipWaiting(1, "hook queue full")
	}
	q.jobs = append(q.jobs, hookJob{event: e, env: env})
	return len(q.jobs) - 1
}

// skipWaiting drops the n oldest waiting hooks and sends the replies they
// held: their events have happened.
func (a *iface) skipWaiting(n int, why string) {
	for _, job := range a.hooks.jobs[:n] {
		a.log.Warn("hook skipped", zap.String("event", string(job.event)), zap.Int("events", job.folded+1),
			zap.String("reason", why))
		for _, r := range job.replies {
			a.reply(r)
		}
	}
	a.hooks.jobs = slices.Delete(a.hooks.jobs, 0, n)
}

// nextHook starts the next hook unless one is running. Without a hook the
// replies go at once. The fork and exec happen on a goroutine (never in
// Receive: issue 10), which posts the outcome back as HookDone.
func (a *iface) nextHook() {
	for a.hooks.running == nil && len(a.hooks.jobs) > 0 {
		job := a.hooks.jobs[0]
		a.hooks.jobs = a.hooks.jobs[1:]
		if a.env.Hooks == nil {
			for _, r := range job.replies {
				a.reply(r)
			}
			continue
		}
		job.seq = a.env.gens.Add(1)
		a.hooks.running = &job
		hooks, root, self, log, ifname := a.env.Hooks, a.root, a.self, a.log, a.link.Name
		e, seq, env := string(job.event), job.seq, job.env
		go func() {
			err := hooks.Start(ifname, e, env, func(err error) {
				root.Send(self, &messages.HookDone{Event: e, Seq: seq, Err: err})
			})
			if err != nil {
				root.Send(self, &messages.HookDone{Event: e, Seq: seq, Err: err, NotRun: true})
				return
			}
			log.Info("hook started", zap.String("event", e))
		}()
	}
}

// hookDone logs the hook's outcome, sends the replies it held and starts
// the next one.
func (a *iface) hookDone(d *messages.HookDone) {
	job := a.hooks.running
	if job == nil || job.seq != d.Seq {
		return // a hook of an earlier incarnation, or one skipped at a stop
	}
	a.hooks.running = nil
	switch {
	case d.NotRun && errors.Is(d.Err, hook.ErrNoHook):
	case d.NotRun:
		a.log.Error("hook failed to start", zap.String("event", d.Event), zap.Error(d.Err))
	case d.Err != nil:
		a.log.Error("hook failed", zap.String("event", d.Event), zap.Error(d.Err))
	default:
		a.log.Info("hook done", zap.String("event", d.Event))
	}
	for _, r := range job.replies {
		a.reply(r)
	}
	a.nextHook()
}

// search is the lease's search list (option 119, else 15) as the
// resolver gets it: well-formed names only.
func search(l *lease.Lease) []string {
	var out []string
	for _, d := range searchList(l, func(dhcpv4.OptionCode) bool { return false }) {
		if d = strings.ToLower(strings.TrimSuffix(d, ".")); dns.ValidDomain(d) && len(out) < dns.MaxDomains {
			out = append(out, d)
		}
	}
	return out
}

// hookEnv describes the lease to the hook (SPEC §5).
func hookEnv(ifname string, e lease.EventName, l *lease.Lease) []string {
	env := []string{"DHCP_IFNAME=" + ifname, "DHCP_EVENT=" + string(e)}
	if l == nil {
		return env
	}
	join := func(ips []string) string { return strings.Join(ips, " ") }
	var gws []string
	for _, r := range routers(l) {
		gws = append(gws, r.String())
	}
	var dns []string
	for _, ip := range l.ACK.DNS() {
		dns = append(dns, ip.String())
	}
	secs := "infinite"
	if !l.Infinite {
		secs = fmt.Sprint(int64(l.Duration / time.Second))
	}
	return append(env,
		"DHCP_ADDRESS="+l.Addr.Addr().String(),
		fmt.Sprintf("DHCP_PREFIX=%d", l.Addr.Bits()),
		"DHCP_ROUTERS="+join(gws),
		"DHCP_DNS="+join(dns),
		"DHCP_DOMAIN="+l.ACK.DomainName(),
		"DHCP_SEARCH="+join(search(l)),
		"DHCP_LEASE_TIME="+secs,
		"DHCP_SERVER="+l.Server.String(),
	)
}
