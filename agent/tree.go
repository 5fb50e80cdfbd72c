package agent

import (
	"context"
	"fmt"
	"log/slog"
	"os/user"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/control"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
)

// tree is the agent's actors: the manager supervising the interface
// actors, the admin actor (ipadm objects) and the IPC actor in front of
// both.
type tree struct {
	system                 *actor.ActorSystem
	manager, admin, ipcPID *actor.PID
	// lost reports the manager or the IPC actor once it has stopped for
	// good (watchLost): past its supervisor's restart limit no lease is
	// maintained any more, or no command answered, and Run ends.
	lost <-chan *actor.PID
}

// spawnTree starts the actor system, its log going through zap, and the
// actors over env. The caller shuts the system down; on an error it is
// shut down already.
func spawnTree(env *actors.Env, o Options) (t *tree, err error) {
	adminGID, err := adminGroup(o.Config)
	if err != nil {
		return nil, err
	}
	t = &tree{system: actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger {
			return slog.New(zapslog.NewHandler(o.Log.Core(), zapslog.WithName("protoactor")))
		})))}
	defer func() {
		if err != nil {
			t.system.Shutdown()
		}
	}()
	root := t.system.Root
	if t.manager, err = root.SpawnNamed(actors.ManagerProps(env), "ifaces"); err != nil {
		return nil, fmt.Errorf("start manager: %w", err)
	}
	if t.admin, err = root.SpawnNamed(actors.AdminProps(env, t.manager), "ipadm"); err != nil {
		return nil, fmt.Errorf("start admin actor: %w", err)
	}
	if t.ipcPID, err = root.SpawnNamed(control.Props(t.manager, t.admin, o.Log, adminGID), "ipc"); err != nil {
		return nil, fmt.Errorf("start IPC actor: %w", err)
	}
	if t.lost, err = watchLost(root, t.manager, t.ipcPID); err != nil {
		return nil, err
	}
	return t, nil
}

// watchLost reports each of pids that stops for good. The top-level
// actors have protoactor's default supervision: an actor that panics is
// restarted, but past 10 restarts within 10 s (DefaultSupervisorStrategy)
// it is stopped, and nothing starts it again. A manager gone that way
// maintains no lease any more (no renewal at T1, the addresses expire
// unnoticed) and an IPC actor gone answers nothing, while the agent would
// look alive; so Run ends and the agent exits non-zero, for its service
// manager to start it again (Restart=on-failure), the next agent resuming
// every stored lease (SPEC §2). The admin actor is not watched here: with
// it gone the leases are still kept and its commands are answered
// INTERNAL (control.Props). The channel has room for every report: the
// watcher never blocks, also once Run no longer reads it.
func watchLost(root *actor.RootContext, pids ...*actor.PID) (<-chan *actor.PID, error) {
	lost := make(chan *actor.PID, len(pids))
	_, err := root.SpawnNamed(actor.PropsFromFunc(func(ctx actor.Context) {
		switch msg := ctx.Message().(type) {
		case *actor.Started:
			// A PID already gone is answered Terminated (NotFound).
			for _, pid := range pids {
				ctx.Watch(pid)
			}
		case *actor.Terminated:
			select {
			case lost <- msg.Who:
			default:
			}
		}
	}), "watcher")
	if err != nil {
		return nil, fmt.Errorf("start the actors' watcher: %w", err)
	}
	return lost, nil
}

// stop gives up every interface as Run ends: at SIGTERM (or a failed
// control socket or receive path) each is dropped or released (shutdown);
// when an actor was lost (watchLost), none is, as after a kill -9: every
// address, route and record stays, for the next agent (Restart=on-failure)
// to resume each lease with INIT-REBOOT (SPEC §2). Dropping them would take
// the host off the network for a fault of the agent's own, and a lost
// manager could not drop them anyway.
func (t *tree) stop(lost *actor.PID, release bool, log *zap.Logger) {
	if lost != nil {
		log.Info("stopping: every interface is left as it is, for the next start", zap.String("lost", lost.Id))
		return
	}
	log.Info("stopping: giving up every interface", zap.Bool("release", release))
	t.shutdown(release, adminShutdownWait, shutdownWait, log)
}

// shutdown removes the temporary static addresses (admin actor), then
// drops every interface, or releases it with RELEASE_ON_SIGTERM (manager),
// all within wait (SPEC §2); the admin actor within adminWait of it, so
// that an ipadm job that hangs (a netlink call, an fsync) never leaves
// the leases no time for their drops.
func (t *tree) shutdown(release bool, adminWait, wait time.Duration, log *zap.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for _, pid := range []*actor.PID{t.admin, t.manager} {
		done := make(chan *messages.Result, 1)
		t.system.Root.Send(pid, &messages.Shutdown{Release: release, Reply: done})
		bound, stop := ctx, func() {}
		if pid == t.admin {
			bound, stop = context.WithTimeout(ctx, adminWait)
		}
		select {
		case <-done:
		case <-bound.Done():
			log.Error("interfaces did not stop in time", zap.String("actor", pid.Id))
		}
		stop()
	}
}

// adminGroup resolves ADMIN_GROUP to a gid, or -1 when it is not set.
func adminGroup(c *config.Config) (int64, error) {
	name := c.Get("", "ADMIN_GROUP")
	if name == "" {
		return -1, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("ADMIN_GROUP: %w", err)
	}
	gid, err := strconv.ParseInt(g.Gid, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ADMIN_GROUP %s: gid %q: %w", name, g.Gid, err)
	}
	return gid, nil
}
