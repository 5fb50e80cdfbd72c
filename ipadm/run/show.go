package run

import (
	"context"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
)

// The listings: package ipadm names the objects and formats the rows; what
// the kernel (a link's state, an address's flags) and the interface actors
// (a DHCP object's lease) say of them is gathered on a goroutine, so that
// the admin actor's Receive never waits for a thousand netlink round trips
// nor for a command in progress. Each netlink wait is bounded
// (kernel.Timeout), the statuses by listWait. The goroutine reads the
// configuration it was given, which is never changed in place.

// listWait bounds a listing's wait for the interface actors' statuses.
const listWait = 5 * time.Second

// ShowIf answers c, a show-if of c.Ifname ("" for every object), from
// cfg: a naming error at once, the rows from a goroutine of its own once
// the active interfaces' links are read.
func (x *Runner) ShowIf(cfg ipadm.Configs, c *messages.Command) {
	names, err := cfg.ListIfs(c.Ifname)
	if err != nil {
		c.Answer(Failure(err))
		return
	}
	go func() {
		o := ipadm.Observed{Links: map[string]ipadm.Link{}}
		for _, n := range names {
			if _, ok := cfg.Active.Interfaces[n]; ok {
				x.link(o.Links, n)
			}
		}
		r := messages.OK()
		r.Interfaces = cfg.IfRows(names, o)
		c.Answer(r)
	}()
}

// ShowAddr answers c, a show-addr of want (an object, IF/ for an
// interface's, "" for every one), from cfg: a naming error at once, the
// rows from a goroutine of its own once the static objects' flags are
// read and the DHCP objects' interfaces have told their leases (or
// listWait ran out).
func (x *Runner) ShowAddr(cfg ipadm.Configs, c *messages.Command, want string) {
	objs, err := cfg.ListAddrs(want)
	if err != nil {
		c.Answer(Failure(err))
		return
	}
	go func() {
		// The statuses asked stop being waited for with the listing (its
		// caller gone, or answered): one held while the manager or an
		// interface reads the store is then let go before a command is
		// refused LIMIT (messages.Command.Abandoned). Else any user's
		// show-addr --wait 0 left one held per DHCP object, never let go.
		asking, stopAsking := context.WithCancel(orBackground(c.Ctx))
		defer stopAsking()
		o := ipadm.Observed{Links: map[string]ipadm.Link{}, Flags: map[string]ipadm.AddrFlags{}, Leases: map[string]ipadm.Lease{}}
		statuses := map[string]<-chan *messages.Result{} // DHCP object's interface -> its status
		for _, obj := range objs {
			if ad, ok := cfg.Active.Addresses[obj]; ok && ad.Type == ipadm.DHCP && statuses[ad.Ifname] == nil {
				statuses[ad.Ifname] = x.ask(&messages.Command{Ifname: ad.Ifname, Req: messages.Status{}, Ctx: asking})
			}
		}
		for _, obj := range objs {
			if ad, ok := cfg.Active.Addresses[obj]; ok && ad.Type == ipadm.Static {
				if st, ok := x.link(o.Links, ad.Ifname); ok {
					present, tentative, duplicate := x.Links.AddrFlags(st.Index, ad.Addr)
					o.Flags[obj] = ipadm.AddrFlags{Present: present, Tentative: tentative, Duplicate: duplicate}
				}
			}
		}
		expired, stop := x.deadline(listWait)
		defer stop()
		for ifname, ch := range statuses {
			select {
			case r := <-ch:
				if l, ok := leaseOf(r); ok {
					o.Leases[ifname] = l
				}
			case <-expired:
			}
		}
		stopAsking() // before the answer: whoever reads it finds them let go
		r := messages.OK()
		r.Addresses = cfg.AddrRows(objs, o)
		c.Answer(r)
	}()
}

// orBackground is ctx, or the background context for a command whose
// caller waits as long as it takes (nil).
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// link reads ifname's state into links, and reports whether the link
// exists.
func (x *Runner) link(links map[string]ipadm.Link, ifname string) (st kernel.LinkState, ok bool) {
	st, err := x.Links.State(ifname)
	if err != nil {
		return st, false
	}
	links[ifname] = ipadm.Link{Up: st.Up, Carrier: st.Carrier, Broadcast: st.Broadcast, Multicast: st.Multicast,
		PointToPoint: st.PointToPoint, Virtual: st.Virtual}
	return st, true
}

// leaseOf is what show-addr needs of an interface's status.
func leaseOf(r *messages.Result) (ipadm.Lease, bool) {
	if r == nil || r.Failed() || r.Status == nil {
		return ipadm.Lease{}, false
	}
	s := r.Status
	return ipadm.Lease{Addr: s.Addr, Bound: s.Bound(), Declining: s.State == lease.Declining}, true
}
