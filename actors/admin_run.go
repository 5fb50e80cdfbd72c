package actors

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// runner carries out the admin actor's plans, on the job's goroutine:
// link changes and static addresses through netlink (each wait bounded by
// kernel.Timeout), the store's ipadm.json, and DHCP address objects by
// commands to the manager, whose results are passed on (relay).
type runner struct {
	env     *Env
	manager *actor.PID
	root    *actor.RootContext
	log     *zap.Logger
	// idle holds one token while a job's plans run, for every incarnation
	// of the admin actor: a restarted one reads the store after them.
	idle chan struct{}
}

// plan runs p's steps in order from cfg and returns the configurations
// they committed, and how c is to be answered (c nil: nobody waits). A
// failed step ends the plan with its error unless it is best effort;
// either way only what the kernel or the store got is committed.
func (x *runner) plan(cfg ipadm.Configs, p ipadm.Plan, c *messages.Command) (ipadm.Configs, func()) {
	var drops []<-chan *messages.Result
	for _, s := range p.Steps {
		res, err := x.step(s, c)
		cfg = cfg.Commit(s, err == nil)
		if err != nil {
			if !s.BestEffort {
				return cfg, func() { answer(c, failure(err)) }
			}
			x.log.Warn("an administrative step failed", zap.Stringer("op", s.Op), zap.String("iface", stepIf(s)),
				zap.String("object", s.Addr.Object), zap.Error(err))
		}
		switch {
		case s.Answers && c != nil:
			return cfg, func() { x.relay(c, s.Addr.Ifname, res, s.OK) }
		case s.Op == ipadm.DropDHCP:
			drops = append(drops, res)
		}
	}
	return cfg, func() { x.afterDrops(c, drops) }
}

func answer(c *messages.Command, r *messages.Result) {
	if c != nil {
		c.Answer(r)
	}
}

func stepIf(s ipadm.Step) string {
	if s.If.Name != "" {
		return s.If.Name
	}
	return s.Addr.Ifname
}

// step carries out one step. A command to the manager returns the channel
// its result comes on; with s.Answers it carries c's wait.
func (x *runner) step(s ipadm.Step, c *messages.Command) (<-chan *messages.Result, error) {
	ad := s.Addr
	switch s.Op {
	case ipadm.Plumb:
		return nil, x.plumb(s.If)
	case ipadm.Unplumb:
		return nil, x.unplumb(s)
	case ipadm.AddStatic:
		st, err := x.env.Admin.State(ad.Ifname)
		if err != nil {
			return nil, err
		}
		err = x.env.Net.Apply(kernel.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
		x.env.HostAddrs.Added(kernel.IfAddr{Ifindex: st.Index, Prefix: ad.Addr}, err) // the conflict check sees it
		return nil, err
	case ipadm.RemoveStatic:
		st, err := x.env.Admin.State(ad.Ifname)
		if err != nil {
			return nil, nil // the link is gone, and its addresses with it
		}
		err = x.env.Net.Remove(kernel.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
		x.env.HostAddrs.Removed(kernel.IfAddr{Ifindex: st.Index, Prefix: ad.Addr}, err)
		return nil, err
	case ipadm.StartDHCP:
		return x.send(s, c, messages.Start{Hostname: ad.Hostname, Primary: ad.Primary, Temporary: s.Temporary, Boot: s.Boot}), nil
	case ipadm.DropDHCP:
		return x.send(s, c, messages.Drop{Release: s.Release}), nil
	case ipadm.ExtendDHCP:
		return x.send(s, c, messages.Extend{}), nil
	case ipadm.InformDHCP:
		return x.send(s, c, messages.Inform{Addr: ad.Addr}), nil
	case ipadm.Save:
		if x.env.Store == nil {
			return nil, nil
		}
		return nil, x.env.Store.SaveIPAdm(s.Config)
	}
	return nil, nil
}

// plumb brings the link up with the object's families.
func (x *runner) plumb(obj ipadm.Interface) error {
	st, err := x.env.Admin.State(obj.Name)
	if err != nil {
		return err
	}
	if err := x.env.Admin.SetUp(st.Index, true); err != nil {
		return err
	}
	if obj.Has(ipadm.V6) {
		return x.env.Admin.SetIPv6(obj.Name, true)
	}
	return nil
}

// unplumb takes families out of a link: IPv6 off, and the link down once
// no family is left. A link that is gone already needs nothing; the host's
// loopback stays as it is, managed or not (its ::1 serves the host).
func (x *runner) unplumb(s ipadm.Step) error {
	st, err := x.env.Admin.State(s.If.Name)
	if err != nil || st.Loopback {
		return nil
	}
	var errs []error // a refused IPv6 change does not keep the link up
	if (&ipadm.Interface{Families: s.Drop}).Has(ipadm.V6) {
		errs = append(errs, x.env.Admin.SetIPv6(s.If.Name, false))
	}
	if len(s.If.Families) == 0 {
		errs = append(errs, x.env.Admin.SetUp(st.Index, false))
	}
	return errors.Join(errs...)
}

// send sends the manager req for s's interface; with s.Answers the
// command carries c's wait and context.
func (x *runner) send(s ipadm.Step, c *messages.Command, req messages.Request) <-chan *messages.Result {
	res := make(chan *messages.Result, 1) // buffered: nobody has to read it
	fwd := &messages.Command{Ifname: s.Addr.Ifname, Req: req, Reply: res}
	if s.Answers && c != nil {
		fwd.Ctx, fwd.Wait = c.Ctx, c.Wait
	}
	x.root.Send(x.manager, fwd)
	return res
}

// relay passes the manager's result for ifname on to c. The code ok counts
// as success: the interface is as the object wants it (already running, or
// not managed any more), and the result carries the interface's status as
// a success would. The wait is bounded by c's: the manager answers every
// command it routes, but a waiter never outlives its caller's patience.
func (x *runner) relay(c *messages.Command, ifname string, res <-chan *messages.Result, ok ipc.Code) {
	wait := c.Wait
	if wait < 0 {
		wait = relayMaxWait
	}
	t := time.NewTimer(wait + relayGrace)
	defer t.Stop()
	select {
	case r := <-res:
		if r.Code == ok {
			r = x.statusOf(ifname, t.C)
		}
		c.Answer(r)
	case <-t.C:
		c.Answer(messages.Fail(ipc.ErrTimeout, "%s: still in progress", ifname))
	}
}

// statusOf is a success with ifname's status, asked of the manager, or
// without one when the interface is not managed (or does not answer
// before expired).
func (x *runner) statusOf(ifname string, expired <-chan time.Time) *messages.Result {
	res := make(chan *messages.Result, 1)
	x.root.Send(x.manager, &messages.Command{Ifname: ifname, Req: messages.Status{}, Reply: res})
	select {
	case r := <-res:
		if !r.Failed() {
			return r
		}
	case <-expired:
	}
	return messages.OK()
}

// afterDrops answers c once the DHCP drops its plan sent are done: an OK
// from disable-if or delete-if means the addresses are gone, and nothing
// the drops overtook can bring them back. The manager answers every
// command it routes; the deadline covers a drop's hook (55 s and 3 s to
// its SIGKILL) and more.
func (x *runner) afterDrops(c *messages.Command, drops []<-chan *messages.Result) {
	if c == nil {
		return
	}
	t := time.NewTimer(shutdownWait + relayGrace)
	defer t.Stop()
	for _, d := range drops {
		select {
		case <-d:
		case <-t.C:
			c.Answer(messages.Fail(ipc.ErrTimeout, "%s: the drop is still in progress", c.Ifname))
			return
		}
	}
	c.Answer(messages.OK())
}

// relayGrace lets the manager's own answer to a wait that ran out (TIMEOUT
// from the interface) arrive before the relay gives up; relayMaxWait bounds
// a relay whose caller waits forever.
const (
	relayGrace   = 5 * time.Second
	relayMaxWait = 24 * time.Hour
)
