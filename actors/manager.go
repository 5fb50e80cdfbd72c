package actors

import (
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// Restart limits for a failing interface actor: past them the supervisor
// stops it rather than spin.
const (
	maxRestarts   = 5
	restartWindow = time.Minute
)

// manager supervises the interface actors and routes commands to them by
// interface name. It holds no lease state of its own.
type manager struct {
	env      *Env
	children map[string]*actor.PID
	primary  string // name of the primary interface, "" when none
}

// ManagerProps is the manager's Props.
func ManagerProps(env *Env) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &manager{env: env, children: make(map[string]*actor.PID)}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(maxRestarts, restartWindow, actor.DefaultDecider)))
}

func (m *manager) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *messages.Command:
		m.route(ctx, msg)
	case *messages.Unmanaged:
		delete(m.children, msg.Ifname)
		if m.primary == msg.Ifname {
			m.primary = ""
		}
	case *actor.Terminated:
		for name, pid := range m.children {
			if pid.Equal(msg.Who) {
				m.env.Log.Warn("interface actor stopped", zap.String("iface", name))
				delete(m.children, name)
			}
		}
	}
}

func (m *manager) route(ctx actor.Context, c *messages.Command) {
	req := c.Req
	if req.Command == ipc.CmdStatus && req.Ifname == "" {
		m.statusAll(ctx, c)
		return
	}
	name := req.Ifname
	if name == "" {
		if m.primary == "" {
			c.Reply <- ipc.Fail(req, ipc.ErrNoPrimary, "no interface named and no primary interface")
			return
		}
		name = m.primary
	}
	if req.Command == ipc.CmdStart && req.Args[ipc.ArgPrimary] == "yes" && m.primary != name {
		if old, ok := m.children[m.primary]; ok {
			ctx.Send(old, &messages.Primary{On: false})
		}
		m.primary = name
	}
	if pid, ok := m.children[name]; ok {
		ctx.Send(pid, c)
		return
	}
	// start and inform put an interface under management; the rest need
	// it managed already.
	if req.Command != ipc.CmdStart && req.Command != ipc.CmdInform {
		c.Reply <- ipc.Fail(req, ipc.ErrUnkIf, "%s is not managed", name)
		return
	}
	link, err := m.env.Links.ByName(name)
	if err != nil {
		c.Reply <- ipc.Fail(req, ipc.ErrInvalid, "interface %s: %v", name, err)
		return
	}
	if len(link.HWAddr) != 6 {
		c.Reply <- ipc.Fail(req, ipc.ErrInvalid, "interface %s has no Ethernet address", name)
		return
	}
	// A prefix, not a fixed name: the actor of a dropped interface may
	// still be stopping when the interface is started again.
	pid := ctx.SpawnPrefix(actor.PropsFromProducer(newIface(m.env, link)), "if-"+link.Name+"-")
	m.children[link.Name] = pid
	ctx.Send(pid, c)
}

// statusAll asks every interface actor for its status and answers with the
// collected list. The collecting happens on a goroutine so that Receive
// does not wait; every actor answers at once, and the wait is bounded for
// an actor that dies before answering.
func (m *manager) statusAll(ctx actor.Context, c *messages.Command) {
	parts := make(chan ipc.Status, len(m.children))
	for _, pid := range m.children {
		ctx.Send(pid, &messages.StatusQuery{Reply: parts})
	}
	n := len(m.children)
	go func() {
		r := ipc.OK(c.Req)
		r.Statuses = make([]ipc.Status, 0, n)
		deadline := time.NewTimer(5 * time.Second)
		defer deadline.Stop()
		for range n {
			select {
			case s := <-parts:
				r.Statuses = append(r.Statuses, s)
			case <-deadline.C:
				c.Reply <- ipc.Fail(c.Req, ipc.ErrInternal, "interface actors did not answer")
				return
			}
		}
		slices.SortFunc(r.Statuses, func(a, b ipc.Status) int { return strings.Compare(a.Ifname, b.Ifname) })
		c.Reply <- r
	}()
}
