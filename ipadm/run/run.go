// Package run carries out package ipadm's plans on the host and observes
// the host for ipadm's listings (SPEC §4): link changes and static
// addresses through netlink (each call bounded by kernel.Timeout), the
// persistent configuration through the store's ipadm.json, and DHCP
// address objects by commands to the manager, whose results are passed on
// to the command that asked (relay). Package ipadm decides; this package
// does what was decided, reports what was committed, and orders the admin
// actor's work (Scheduler: one plan at a time, off its Receive), which
// only hands its messages over.
package run

import (
	"errors"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// Addresses puts static addresses on links and takes them off: what a
// plan asks of kernel.Configurer.
type Addresses interface {
	Apply(kernel.AddrConfig) error
	Remove(kernel.AddrConfig) error
}

// Store keeps the persistent configuration (store.Store's ipadm.json).
type Store interface {
	SaveIPAdm(*ipadm.Config) error
}

// Manager sends c to the manager, which answers every command it routes,
// exactly once, on c.Reply.
type Manager func(c *messages.Command)

// Runner carries plans out and gathers what the listings show. Its
// methods block on the kernel, the store and the manager: call them off
// an actor's Receive. A Runner is safe for concurrent use once set up.
type Runner struct {
	Links kernel.LinkAdmin
	Net   Addresses
	// Addrs is told of every static address added or removed, so that the
	// conflict check sees it before the kernel's event comes.
	Addrs kernel.HostAddrs
	// Store may be nil: nothing is persisted (tests).
	Store   Store
	Manager Manager
	// DropWait bounds the wait for the DHCP drops a plan sent (the
	// manager's own bound on its interfaces stopping); relayGrace is added.
	DropWait time.Duration
	// Deadline returns a channel that fires after d and its stop; nil:
	// a time.Timer. Tests put their own clock here.
	Deadline func(d time.Duration) (expired <-chan time.Time, stop func())
	Log      *zap.Logger
}

// Run carries plans out in order from cfg, on the caller's goroutine, and
// hands what they committed to committed before c is answered (c nil:
// nobody waits), so that whatever c's caller does next sees it.
func (x *Runner) Run(cfg ipadm.Configs, plans []ipadm.Plan, c *messages.Command, committed func(ipadm.Configs)) {
	var answer func()
	for _, p := range plans {
		cfg, answer = x.Plan(cfg, p, c)
	}
	committed(cfg)
	if answer != nil {
		answer()
	}
}

// Plan runs p's steps in order from cfg and returns the configurations
// they committed, and how c is to be answered (c nil: nobody waits). A
// failed step ends the plan with its error unless it is best effort;
// either way only what the kernel or the store got is committed.
func (x *Runner) Plan(cfg ipadm.Configs, p ipadm.Plan, c *messages.Command) (ipadm.Configs, func()) {
	var drops []<-chan *messages.Result
	for _, s := range p.Steps {
		res, err := x.step(s, c)
		cfg = cfg.Commit(s, err == nil)
		if err != nil {
			if !s.BestEffort {
				return cfg, func() { c.Answer(Failure(err)) }
			}
			x.Log.Warn("an administrative step failed", zap.Stringer("op", s.Op), zap.String("iface", stepIf(s)),
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

// Failure is err as a result, with the code it carries: a refusal's
// (ipadm.Error), NOLINK for a link that does not exist, else INTERNAL.
func Failure(err error) *messages.Result {
	var ce *ipadm.Error
	switch {
	case errors.As(err, &ce):
		return messages.Fail(ce.Code, "%s", ce.Msg)
	case errors.Is(err, kernel.ErrNoLink):
		return messages.Fail(ipc.ErrNoLink, "%v", err)
	}
	return messages.Fail(ipc.ErrInternal, "%v", err)
}

func stepIf(s ipadm.Step) string {
	if s.If.Name != "" {
		return s.If.Name
	}
	return s.Addr.Ifname
}

// step carries out one step. A command to the manager returns the channel
// its result comes on; with s.Answers it carries c's wait.
func (x *Runner) step(s ipadm.Step, c *messages.Command) (<-chan *messages.Result, error) {
	ad := s.Addr
	switch s.Op {
	case ipadm.Plumb:
		return nil, x.plumb(s.If)
	case ipadm.Unplumb:
		return nil, x.unplumb(s)
	case ipadm.AddStatic:
		st, err := x.Links.State(ad.Ifname)
		if err != nil {
			return nil, err
		}
		err = x.Net.Apply(kernel.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
		x.Addrs.Added(kernel.IfAddr{Ifindex: st.Index, Prefix: ad.Addr}, err) // the conflict check sees it
		return nil, err
	case ipadm.RemoveStatic:
		st, err := x.Links.State(ad.Ifname)
		if err != nil {
			return nil, nil // the link is gone, and its addresses with it
		}
		err = x.Net.Remove(kernel.AddrConfig{Ifindex: st.Index, Addr: ad.Addr})
		x.Addrs.Removed(kernel.IfAddr{Ifindex: st.Index, Prefix: ad.Addr}, err)
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
		if x.Store == nil {
			return nil, nil
		}
		return nil, x.Store.SaveIPAdm(s.Config)
	}
	return nil, nil
}

// plumb brings the link up with the object's families.
func (x *Runner) plumb(obj ipadm.Interface) error {
	st, err := x.Links.State(obj.Name)
	if err != nil {
		return err
	}
	if err := x.Links.SetUp(st.Index, true); err != nil {
		return err
	}
	if obj.Has(ipadm.V6) {
		return x.Links.SetIPv6(obj.Name, true)
	}
	return nil
}

// unplumb takes families out of a link: IPv6 off, and the link down once
// no family is left. A link that is gone already needs nothing; the host's
// loopback stays as it is, managed or not (its ::1 serves the host).
func (x *Runner) unplumb(s ipadm.Step) error {
	st, err := x.Links.State(s.If.Name)
	if err != nil || st.Loopback {
		return nil
	}
	var errs []error // a refused IPv6 change does not keep the link up
	if (&ipadm.Interface{Families: s.Drop}).Has(ipadm.V6) {
		errs = append(errs, x.Links.SetIPv6(s.If.Name, false))
	}
	if len(s.If.Families) == 0 {
		errs = append(errs, x.Links.SetUp(st.Index, false))
	}
	return errors.Join(errs...)
}
