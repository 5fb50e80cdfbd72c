package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm/run"
	"github.com/dhcpagent/dhcpagent/messages"
)

// admin owns interface and address objects (SPEC §4): the persistent
// configuration in the store and the active one in the kernel. Package
// ipadm decides what a command does (a plan of kernel steps, manager
// commands and store writes, or its refusal); package ipadm/run orders
// the plans (run.Scheduler: one at a time, in the order the commands
// came, on a goroutine, so that Receive never waits for netlink or an
// fsync) and carries them out. This actor only hands its messages over.
type admin struct {
	jobs *run.Scheduler
	self *actor.PID
	root *actor.RootContext
}

// AdminProps is the admin actor's Props.
func AdminProps(env *Env, manager *actor.PID) *actor.Props {
	shared := run.NewShared() // by every incarnation: a restart keeps what was committed, and a stop
	return actor.PropsFromProducer(func() actor.Actor {
		a := &admin{}
		x := &run.Runner{Links: env.Admin, Net: env.Net, Addrs: &env.HostAddrs, Store: env.Store,
			Manager: func(c *messages.Command) { a.root.Send(manager, c) }, DropWait: shutdownWait, Log: env.Log.Named("ipadm")}
		a.jobs = run.NewScheduler(x, shared, env.Store, func(e *run.Event) { a.root.Send(a.self, e) })
		return a
	})
}

func (a *admin) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.self, a.root = ctx.Self(), ctx.ActorSystem().Root
		a.jobs.Start()
	case *actor.Restarting:
		a.jobs.Restarting()
	case *actor.Stopping:
		a.jobs.Stopping()
	case *run.Event:
		a.jobs.Handle(msg)
	case *messages.Command:
		a.jobs.Command(msg)
	case *messages.Shutdown:
		a.jobs.Stop(msg.Reply)
	}
}
