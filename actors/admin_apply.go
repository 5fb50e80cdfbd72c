package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// Address objects in the kernel: a static address through netlink, a DHCP
// one by commands to the manager, whose results are passed on (relay).

// configure applies an address object: a static address through netlink,
// a DHCP one by starting its interface. The DHCP start is answered to c
// (nil: discarded).
func (a *admin) configure(ctx actor.Context, ad ipadm.Address, c *messages.Command) error {
	st, err := a.env.Admin.State(ad.Ifname)
	if err != nil {
		return err
	}
	if ad.Type == ipadm.Static {
		err := a.env.Net.Apply(kernel.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
		a.env.hostAddrs.added(kernel.IfAddr{Ifindex: st.Index, Prefix: ad.Addr}, err) // the conflict check sees it
		return err
	}
	// A temporary object's interface is not resumed by the next agent.
	_, persistent := a.persist.Addresses[ad.Object]
	start := messages.Start{Hostname: ad.Hostname, Primary: ad.Primary, Temporary: !persistent, Boot: a.replaying}
	// An interface already started with agentctl start is what the object
	// describes: RUNNING is success here.
	a.relay(ctx, c, ad.Ifname, start, ipc.ErrRunning)
	return nil
}

// unconfigure takes an address object out of the kernel: a static address
// removed exactly, a DHCP one dropped. The drop is done when the returned
// channel yields its result (nil for a static object).
func (a *admin) unconfigure(ctx actor.Context, ad ipadm.Address) <-chan *messages.Result {
	if ad.Type == ipadm.Static {
		a.removeStatic(ad)
		return nil
	}
	return a.relay(ctx, nil, ad.Ifname, messages.Drop{}, ipc.ErrUnkIf)
}

// removeStatic takes a static address object's address out of the kernel,
// exactly.
func (a *admin) removeStatic(ad ipadm.Address) {
	st, err := a.env.Admin.State(ad.Ifname)
	if err != nil {
		return
	}
	err = a.env.Net.Remove(kernel.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
	if err != nil {
		a.log.Warn("removing a static address failed", zap.String("object", ad.Object), zap.Error(err))
	}
	a.env.hostAddrs.removed(kernel.IfAddr{Ifindex: st.Index, Prefix: ad.Addr}, err)
}

// relay sends the manager req for ifname on behalf of c and passes the
// result on to c. The code ok counts as success: the interface is as the
// object wants it (already running, or not managed any more), and the
// result carries the interface's status as a success would. The waiting
// happens on a goroutine, so Receive never blocks, bounded by c's wait:
// the manager answers every command it routes, but a waiter never
// outlives its caller's patience. With c nil, the manager's result is
// returned instead, for whoever needs to know it is done (it is buffered:
// nobody has to read it).
func (a *admin) relay(ctx actor.Context, c *messages.Command, ifname string, req messages.Request, ok ipc.Code) <-chan *messages.Result {
	answer := make(chan *messages.Result, 1)
	fwd := &messages.Command{Ifname: ifname, Req: req, Reply: answer}
	if c != nil {
		fwd.Ctx, fwd.Wait = c.Ctx, c.Wait
	}
	ctx.Send(a.manager, fwd)
	if c == nil {
		return answer
	}
	wait := c.Wait
	if wait < 0 {
		wait = relayMaxWait
	}
	root, manager := a.root, a.manager
	go func() {
		t := time.NewTimer(wait + relayGrace)
		defer t.Stop()
		select {
		case r := <-answer:
			if r.Code == ok {
				r = statusOf(root, manager, ifname, t.C)
			}
			c.Answer(r)
		case <-t.C:
			c.Answer(messages.Fail(ipc.ErrTimeout, "%s: still in progress", ifname))
		}
	}()
	return nil
}

// statusOf is a success with ifname's status, asked of the manager, or
// without one when the interface is not managed (or does not answer
// before expired).
func statusOf(root *actor.RootContext, manager *actor.PID, ifname string, expired <-chan time.Time) *messages.Result {
	answer := make(chan *messages.Result, 1)
	root.Send(manager, &messages.Command{Ifname: ifname, Req: messages.Status{}, Reply: answer})
	select {
	case r := <-answer:
		if !r.Failed() {
			return r
		}
	case <-expired:
	}
	return messages.OK()
}

// afterDrops answers c once the DHCP drops its command caused are done, on
// a goroutine: an OK from disable-if or delete-if means the addresses are
// gone, and nothing the drops overtook can bring them back. The manager
// answers every command it routes; the deadline covers a drop's hook (55 s
// and 3 s to its SIGKILL) and more.
func (a *admin) afterDrops(c *messages.Command, drops []<-chan *messages.Result) {
	go func() {
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
	}()
}

// relayGrace lets the manager's own answer to a wait that ran out (TIMEOUT
// from the interface) arrive before the relay gives up; relayMaxWait bounds
// a relay whose caller waits forever.
const (
	relayGrace   = 5 * time.Second
	relayMaxWait = 24 * time.Hour
)
