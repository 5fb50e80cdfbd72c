package actors

import (
	"errors"

	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// The interface's hooks wait in a hook.Queue, which decides what runs
// next, what folds and what is skipped (SPEC §5); this file runs them and
// logs what the queue decided.

// enqueue schedules the hook of event e with the lease l (nil when none)
// and returns its place in the queue, where the event's replies go, valid
// until the next enqueue. handle starts it once all of the event's actions
// are carried out, so replies describe the finished state (timers armed,
// lease applied).
func (a *iface) enqueue(e lease.EventName, l *lease.Lease) int {
	added := a.hooks.Add(e, hook.LeaseEnv(a.link.Name, e, l))
	if added.Folded {
		a.log.Info("hook coalesced with the one waiting", zap.String("event", string(e)),
			zap.Int("events", added.Events))
	}
	for _, job := range added.Skipped {
		a.log.Warn("hook skipped", zap.String("event", string(job.Event)), zap.Int("events", job.Folded+1),
			zap.String("reason", added.Why))
		a.replyAll(job)
	}
	return added.Place
}

// replyAll sends the replies job held: its event has happened.
func (a *iface) replyAll(job hook.Job) {
	for _, r := range job.Replies {
		a.reply(r)
	}
}

// nextHook starts the next hook unless one is running. Without a hook the
// replies go at once. The fork and exec happen on a goroutine (never in
// Receive: issue 10), which posts the outcome back as HookDone.
func (a *iface) nextHook() {
	if a.env.Hooks == nil {
		for _, job := range a.hooks.Flush() {
			a.replyAll(job)
		}
		return
	}
	job, ok := a.hooks.Start(func() uint64 { return a.env.gens.Next() })
	if !ok {
		return
	}
	hooks, root, self, log, ifname := a.env.Hooks, a.root, a.self, a.log, a.link.Name
	e, seq, env := string(job.Event), job.Seq, job.Env
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

// hookDone logs the hook's outcome, sends the replies it held and starts
// the next one.
func (a *iface) hookDone(d *messages.HookDone) {
	job, ok := a.hooks.Done(d.Seq)
	if !ok {
		return // a hook of an earlier incarnation, or one skipped at a stop
	}
	switch {
	case d.NotRun && errors.Is(d.Err, hook.ErrNoHook):
	case d.NotRun:
		a.log.Error("hook failed to start", zap.String("event", d.Event), zap.Error(d.Err))
	case d.Err != nil:
		a.log.Error("hook failed", zap.String("event", d.Event), zap.Error(d.Err))
	default:
		a.log.Info("hook done", zap.String("event", d.Event))
	}
	a.replyAll(job)
	a.nextHook()
}
