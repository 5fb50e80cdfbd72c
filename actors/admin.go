package actors

import (
	"sort"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// admin owns interface and address objects (SPEC §4): the persistent
// configuration in the store and the active one in the kernel. Every
// change goes through this one actor, so concurrent commands are
// serialised and the store never holds half an operation. DHCP address
// objects are carried out by the interface actors, through the manager
// (admin_apply.go). Interface objects are in admin_if.go, address objects
// in admin_addr.go, their listings in admin_show.go.
type admin struct {
	env     *Env
	manager *actor.PID
	root    *actor.RootContext // for the goroutines that wait on the manager
	log     *zap.Logger
	persist *ipadm.Config // what the store holds
	active  *ipadm.Config // what is configured now
	closing bool          // the agent is stopping: nothing new is configured
	// replaying: the persistent configuration is being brought up at
	// start-up, so DHCP starts are the agent's own (messages.Start.Boot).
	replaying bool
}

// AdminProps is the admin actor's Props.
func AdminProps(env *Env, manager *actor.PID) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &admin{env: env, manager: manager, log: env.Log.Named("ipadm"), active: ipadm.NewConfig()}
	})
}

func (a *admin) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.root = ctx.ActorSystem().Root
		a.replay(ctx)
	case *messages.Command:
		if a.closing {
			msg.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping"))
			return
		}
		r := a.command(ctx, msg)
		if r != nil {
			msg.Answer(r)
		}
	case *messages.Shutdown:
		a.closing = true
		a.shutdown()
		msg.Reply <- messages.OK()
	}
}

// shutdown removes the temporary static addresses as the agent stops: their
// configuration dies with the agent, so the kernel must not keep addresses
// that no object describes. Persistent ones stay (the next agent re-applies
// them, and they do not blink); DHCP objects are dropped by the manager.
func (a *admin) shutdown() {
	for _, obj := range sortedKeys(a.active.Addresses) {
		ad := a.active.Addresses[obj]
		if _, persistent := a.persist.Addresses[obj]; !persistent && ad.Type == ipadm.Static {
			a.log.Info("removing a temporary address", zap.String("object", obj))
			a.removeStatic(ad)
		}
	}
}

// replay brings up the persistent configuration when the agent starts:
// interfaces enabled, address objects re-created, DHCP ones started (they
// resume their leases).
func (a *admin) replay(ctx actor.Context) {
	a.persist = ipadm.NewConfig()
	if a.env.Store != nil {
		c, err := a.env.Store.LoadIPAdm()
		if err != nil {
			a.log.Error("reading the interface configuration failed", zap.Error(err))
			return
		}
		a.persist = c
	}
	a.replaying = true
	defer func() { a.replaying = false }()
	for _, name := range sortedKeys(a.persist.Interfaces) {
		if err := a.enable(ctx, name); err != nil {
			a.log.Warn("persistent interface not enabled", zap.String("iface", name), zap.Error(err))
		}
	}
}

// command carries out one administrative command. It returns the result,
// or nil when it is answered later (DHCP objects, drops, listings).
func (a *admin) command(ctx actor.Context, c *messages.Command) *messages.Result {
	var err error
	var drops []<-chan *messages.Result
	switch r := c.Req.(type) {
	case messages.CreateIf:
		err = a.createIf(c.Ifname, r.Families, r.Temporary)
	case messages.DeleteIf:
		drops, err = a.deleteIf(ctx, c.Ifname, r.Families)
	case messages.EnableIf:
		err = a.enableIf(ctx, c.Ifname)
	case messages.DisableIf:
		drops, err = a.disableIf(ctx, c.Ifname)
	case messages.ShowIf:
		a.showIf(c, c.Ifname)
		return nil
	case messages.CreateAddr:
		return a.createAddr(ctx, c, r)
	case messages.DeleteAddr:
		return a.deleteAddr(ctx, c, r)
	case messages.RefreshAddr:
		return a.refreshAddr(ctx, c, r)
	case messages.ShowAddr:
		a.showAddr(ctx, c, r.Object)
		return nil
	default:
		return messages.Fail(ipc.ErrInvalid, "%T is not an administrative command", c.Req)
	}
	if err != nil {
		return failure(err)
	}
	if len(drops) > 0 {
		a.afterDrops(c, drops)
		return nil
	}
	return messages.OK()
}

// save writes the persistent configuration.
func (a *admin) save() error {
	if a.env.Store == nil {
		return nil
	}
	return a.env.Store.SaveIPAdm(a.persist)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
