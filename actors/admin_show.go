package actors

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/messages"
)

// The listings read the kernel (a link's state, an address's flags) for
// every object they show: on a goroutine, so that the admin actor's
// Receive does not wait for a thousand netlink round trips. Each netlink
// wait is bounded (kernel.Timeout). The objects are read in Receive; the
// goroutine gets copies.

// showIf lists interface objects, active or persistent (SPEC §4), and
// answers c.
func (a *admin) showIf(c *messages.Command, want string) {
	if want != "" {
		if err := ipadm.CheckIfname(want); err != nil {
			c.Answer(failure(err))
			return
		}
	}
	names := map[string]bool{}
	for n := range a.active.Interfaces {
		names[n] = true
	}
	for n := range a.persist.Interfaces {
		names[n] = true
	}
	type active struct{ on, v4, v6 bool }
	r := messages.OK()
	var acts []active // per row of r
	for _, n := range sortedKeys(names) {
		if want != "" && n != want {
			continue
		}
		act, isActive := a.active.Interfaces[n]
		info := messages.IfRow{Ifname: n, Persistent: "--", Current: "------", State: ipadm.StateDisabled}
		if per, ok := a.persist.Interfaces[n]; ok {
			info.Persistent = ipadm.Persistent(&per)
		}
		r.Interfaces = append(r.Interfaces, info)
		acts = append(acts, active{isActive, act.Has(ipadm.V4), act.Has(ipadm.V6)})
	}
	if want != "" && len(r.Interfaces) == 0 {
		c.Answer(messages.Fail(ipc.ErrNotFound, "interface %s not found", want))
		return
	}
	links := a.env.Admin
	go func() {
		for i := range r.Interfaces {
			info, act := &r.Interfaces[i], acts[i]
			if !act.on {
				continue
			}
			st, err := links.State(info.Ifname)
			if err != nil {
				info.State = ipadm.StateFailed // the link went away
				continue
			}
			info.State = ipadm.IfState(true, st.Up, st.Carrier)
			info.Current = ipadm.LinkFlags{Broadcast: st.Broadcast, Multicast: st.Multicast,
				PointToPoint: st.PointToPoint, Virtual: st.Virtual, V4: act.v4, V6: act.v6}.Current()
		}
		c.Answer(r)
	}()
}

// showAddr lists address objects. A DHCP object's state and address come
// from its interface actor: the statuses are gathered on a goroutine.
func (a *admin) showAddr(ctx actor.Context, c *messages.Command, want string) {
	// Like ipadm, "IF/" names every object of the interface.
	var err error
	if ifname, ok := strings.CutSuffix(want, "/"); ok {
		err = ipadm.CheckIfname(ifname)
	} else if want != "" {
		_, _, err = ipadm.ParseAddrObj(want)
	}
	if err != nil {
		c.Answer(failure(err))
		return
	}
	objs := map[string]bool{}
	for o := range a.active.Addresses {
		objs[o] = true
	}
	for o := range a.persist.Addresses {
		objs[o] = true
	}
	var rows []messages.AddrRow
	statics := map[int]ipadm.Address{}         // row -> its active static object
	dhcp := map[string]chan *messages.Result{} // interface -> its status
	for _, o := range sortedKeys(objs) {
		if want != "" && o != want && !(strings.HasSuffix(want, "/") && strings.HasPrefix(o, want)) {
			continue
		}
		ad, isActive := a.active.Addresses[o]
		if !isActive {
			ad = a.persist.Addresses[o]
		}
		_, isPersist := a.persist.Addresses[o]
		row := messages.AddrRow{Addrobj: o, Type: ad.Type, Current: flagU(isActive), Persistent: flagU(isPersist)}
		switch {
		case !isActive:
			row.State = ipadm.StateDisabled
			row.Addr = "?"
			if ad.Type == ipadm.Static {
				row.Addr = ad.Addr.String()
			}
		case ad.Type == ipadm.Static:
			row.Addr = ad.Addr.String()
			statics[len(rows)] = ad
		default:
			ch := make(chan *messages.Result, 1)
			dhcp[ad.Ifname] = ch
			ctx.Send(a.manager, &messages.Command{Ifname: ad.Ifname, Req: messages.Status{}, Reply: ch})
		}
		rows = append(rows, row)
	}
	if want != "" && len(rows) == 0 {
		c.Answer(messages.Fail(ipc.ErrNotFound, "address object %s not found", want))
		return
	}
	links := a.env.Admin
	go func() {
		for i, ad := range statics {
			rows[i].State = staticState(links, ad)
		}
		deadline := time.After(5 * time.Second)
		for i := range rows {
			ch, ok := dhcp[ifnameOf(rows[i].Addrobj)]
			if !ok || rows[i].Type != ipadm.DHCP || rows[i].State != "" {
				continue
			}
			var r *messages.Result
			select {
			case r = <-ch:
				ch <- r // the same interface may appear again
			case <-deadline:
			}
			rows[i].State, rows[i].Addr = dhcpState(r)
		}
		out := messages.OK()
		out.Addresses = rows
		c.Answer(out)
	}()
}

func ifnameOf(obj string) string { i, _, _ := strings.Cut(obj, "/"); return i }

func flagU(on bool) string {
	if on {
		return "U"
	}
	return "-"
}

// staticState reads a static address's state from the kernel.
func staticState(links LinkAdmin, ad ipadm.Address) string {
	st, err := links.State(ad.Ifname)
	if err != nil || !st.Up {
		return ipadm.StateDown
	}
	present, tentative, duplicate := links.AddrFlags(st.Index, ad.Addr)
	switch {
	case duplicate:
		return "duplicate"
	case tentative:
		return "tentative"
	case !present || !st.Carrier:
		return ipadm.StateDown
	}
	return ipadm.StateOK
}

// dhcpState is a DHCP object's state and address from its interface's
// status: ok once bound, tentative while acquiring, down when not running.
func dhcpState(r *messages.Result) (state, addr string) {
	if r == nil || r.Failed() || r.Status == nil {
		return ipadm.StateDown, "?"
	}
	s := r.Status
	if !s.Addr.IsValid() {
		return "tentative", "?"
	}
	addr = s.Addr.String()
	switch {
	case s.Bound():
		return ipadm.StateOK, addr
	case s.State == lease.Declining:
		return "duplicate", addr
	}
	return "tentative", addr
}
