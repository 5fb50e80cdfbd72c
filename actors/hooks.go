package actors

import (
	"errors"
	"fmt"
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
// holds each event's replies until its hook has exited.
type hookQueue struct {
	jobs    []hookJob
	running *hookJob
}

type hookJob struct {
	event   lease.EventName
	env     []string
	replies []lease.Reply
}

// enqueue schedules the hook of event e with the lease l (nil when none)
// and returns its place in the queue, where the event's replies go.
// handle starts it once all of the event's actions are carried out, so
// replies describe the finished state (timers armed, lease applied).
func (a *iface) enqueue(e lease.EventName, l *lease.Lease) int {
	a.hooks.jobs = append(a.hooks.jobs, hookJob{event: e, env: hookEnv(a.link.Name, e, l)})
	return len(a.hooks.jobs) - 1
}

// nextHook starts the next hook unless one is running. Without a hook the
// replies go at once.
func (a *iface) nextHook() {
	for a.hooks.running == nil && len(a.hooks.jobs) > 0 {
		job := a.hooks.jobs[0]
		a.hooks.jobs = a.hooks.jobs[1:]
		err := errNoRunner
		if a.env.Hooks != nil {
			root, self, e := a.root, a.self, job.event
			err = a.env.Hooks.Start(a.link.Name, string(e), job.env, func(err error) {
				root.Send(self, &messages.HookDone{Event: string(e), Err: err})
			})
		}
		if err == nil {
			a.log.Info("hook started", zap.String("event", string(job.event)))
			a.hooks.running = &job
			return
		}
		if !errors.Is(err, hook.ErrNoHook) && !errors.Is(err, errNoRunner) {
			a.log.Error("hook failed to start", zap.String("event", string(job.event)), zap.Error(err))
		}
		for _, r := range job.replies {
			a.reply(r)
		}
	}
}

var errNoRunner = errors.New("no hook runner")

// hookDone logs the hook's outcome, sends the replies it held and starts
// the next one.
func (a *iface) hookDone(d *messages.HookDone) {
	job := a.hooks.running
	if job == nil {
		return // a hook of an earlier incarnation
	}
	a.hooks.running = nil
	if d.Err != nil {
		a.log.Error("hook failed", zap.String("event", d.Event), zap.Error(d.Err))
	} else {
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
