package agent

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// The agent as a systemd service (SPEC §7, sd_notify(3)): READY=1 once the
// control socket answers and the stored interfaces are resumed, STATUS=
// with a one-line summary as interfaces change, WATCHDOG=1 while the
// actors answer, STOPPING=1 at SIGTERM. Without $NOTIFY_SOCKET every
// notification is a no-op, so the agent runs the same by hand.

const (
	// readyWait bounds the start-up check; past it the agent reports
	// READY=1 anyway (with a STATUS saying so) rather than let systemd
	// kill a daemon that serves most of its interfaces.
	readyWait = 30 * time.Second
	// statusEvery refreshes STATUS= when nothing happens.
	statusEvery = time.Minute
	// statusAsk bounds one status query to the manager.
	statusAsk = 5 * time.Second
)

// notifier sends sd_notify messages; failures are logged once per kind.
type notifier struct {
	log *zap.Logger
}

func (n notifier) notify(state string) {
	if _, err := daemon.SdNotify(false, state); err != nil {
		n.log.Warn("sd_notify failed", zap.String("state", state), zap.Error(err))
	}
}

// statusAsker asks the manager for every interface's status, as `agentctl
// status` does but without going through the socket. The reply channel is
// buffered: a reply after the deadline is dropped, never blocks.
type statusAsker struct {
	root    *actor.RootContext
	manager *actor.PID
}

// Statuses asks within ctx. The command carries a context that ends when
// Statuses returns (answered, or ctx done): while the manager reads the
// store, a status it holds in its start-up queue is then let go
// (messages.Command.Abandoned) instead of one per STATUS= refresh and
// watchdog tick piling up there, counted against the queue's bound.
func (s statusAsker) Statuses(ctx context.Context) ([]messages.IfStatus, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reply := make(chan *messages.Result, 1)
	s.root.Send(s.manager, &messages.Command{Req: messages.Status{}, Ctx: ctx, Reply: reply})
	select {
	case r := <-reply:
		if r.Failed() {
			return nil, fmt.Errorf("status: %s: %s", r.Code, r.Message)
		}
		return r.Statuses, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("status: %w", ctx.Err())
	}
}

// summary is the one line STATUS= shows: how many interfaces, and how many
// hold a lease, are acquiring or failed.
func summary(sts []messages.IfStatus) string {
	var bound, acquiring, failed int
	for _, s := range sts {
		switch {
		case s.Failed:
			failed++
		case s.Bound() || s.State == lease.Information:
			bound++
		default:
			acquiring++
		}
	}
	return fmt.Sprintf("%d interfaces: %d bound, %d acquiring, %d failed", len(sts), bound, acquiring, failed)
}

// readyCheck proves the agent serves before READY=1: a show-if through
// the control socket (so the socket accepts, the IPC path answers and the
// interface administration has replayed the persistent objects), then a
// status query to the manager, answered by each interface actor behind
// its resume in its mailbox: a reply means the stored interfaces have been
// resumed. (The status does not go through the socket, so that the only
// command a restart logs is the read-only show-if.)
func readyCheck(ctx context.Context, socket string, ask statusAsker) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	c := &ipc.Client{Socket: socket}
	ms := readyWait.Milliseconds()
	if _, err := c.Do(ctx, &ipc.Request{Command: ipc.CmdShowIf, WaitMs: &ms}); err != nil {
		return "", fmt.Errorf("show-if: %w", err)
	}
	sts, err := ask.Statuses(ctx)
	if err != nil {
		return "", err
	}
	return summary(sts), nil
}

// superviseService sends READY=1 once readyCheck passes, then keeps
// STATUS= current (on every interface event, at most once a second, and
// every statusEvery) and, when systemd asks for a watchdog, sends
// WATCHDOG=1 at half its interval as long as the manager answers a status
// query within that half. It returns when ctx ends.
func superviseService(ctx context.Context, log *zap.Logger, socket string, ask statusAsker,
	events func() (<-chan *ipc.Event, func())) {
	if os.Getenv("NOTIFY_SOCKET") == "" {
		return // not run by systemd: nobody to tell, no queries to make
	}
	n := notifier{log: log}
	n.notify("STATUS=resuming interfaces")
	sum, err := readyCheck(ctx, socket, ask)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		log.Error("start-up check failed; reporting ready anyway", zap.Error(err))
		sum = "start-up check failed: " + err.Error()
	}
	n.notify("READY=1\nSTATUS=" + sum)
	log.Info("ready", zap.String("status", sum))

	evs, unsubscribe := events()
	defer unsubscribe()
	refresh := time.NewTicker(statusEvery)
	defer refresh.Stop()
	var watchdog <-chan time.Time
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		log.Warn("bad watchdog settings from systemd", zap.Error(err))
	}
	if interval > 0 {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		watchdog = t.C
		log.Info("watchdog enabled", zap.Duration("interval", interval))
	}
	var pending <-chan time.Time // a STATUS refresh after a burst of events
	status := func(d time.Duration) error {
		actx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		sts, err := ask.Statuses(actx)
		if err == nil {
			n.notify("STATUS=" + summary(sts))
		}
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-evs:
			if pending == nil {
				pending = time.After(time.Second)
			}
		case <-pending:
			pending = nil
			_ = status(statusAsk)
		case <-refresh.C:
			_ = status(statusAsk)
		case <-watchdog:
			// Only a manager that answers keeps the watchdog quiet: a
			// wedged actor system gets the agent restarted.
			if err := status(interval / 2); err != nil {
				log.Error("watchdog: the interfaces did not answer; not notifying", zap.Error(err))
				continue
			}
			n.notify("WATCHDOG=1")
		}
	}
}

// notifyStopping tells systemd the agent is going down (SIGTERM).
func notifyStopping(log *zap.Logger) {
	notifier{log: log}.notify("STOPPING=1\nSTATUS=stopping: giving up every interface")
}
