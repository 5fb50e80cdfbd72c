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
	if t.ipcPID, err = root.SpawnNamed(actors.IPCProps(t.manager, t.admin, o.Log, adminGID), "ipc"); err != nil {
		return nil, fmt.Errorf("start IPC actor: %w", err)
	}
	return t, nil
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
