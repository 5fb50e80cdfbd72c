package actors

import (
	"net/netip"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// createAddr creates an address object. Its interface is created with it
// when the link is not managed yet, as illumos ipadm does; a persistent
// but disabled interface must be enabled first.
func (a *admin) createAddr(ctx actor.Context, c *messages.Command, temporary bool) *ipc.Reply {
	req := c.Req
	args := req.Args
	ifname, _, err := ipadm.ParseAddrObj(args[ipc.ArgObject])
	if err != nil {
		return failure(req, err)
	}
	obj := args[ipc.ArgObject]
	ad := ipadm.Address{Object: obj, Ifname: ifname, Type: args[ipc.ArgType], Hostname: args[ipc.ArgHostname],
		Primary: args[ipc.ArgPrimary] == "yes"}
	switch ad.Type {
	case ipadm.Static:
		p, err := netip.ParsePrefix(args[ipc.ArgAddress])
		if err != nil || p.Addr().Zone() != "" {
			return ipc.Fail(req, ipc.ErrInvalid, "-a %q: want ADDR/PLEN", args[ipc.ArgAddress])
		}
		ad.Addr = p
	case ipadm.DHCP:
		ad.WaitMs = -1
		if req.WaitMs != nil {
			ad.WaitMs = *req.WaitMs
		}
	default:
		return ipc.Fail(req, ipc.ErrInvalid, "-T %q: want static or dhcp", ad.Type)
	}
	if _, ok := a.active.Addresses[obj]; ok {
		return ipc.Fail(req, ipc.ErrExists, "address object %s exists", obj)
	}
	if _, ok := a.persist.Addresses[obj]; ok {
		return ipc.Fail(req, ipc.ErrDisabled, "address object %s has a persistent configuration: use enable-if %s", obj, ifname)
	}
	if ad.Type == ipadm.DHCP {
		for _, other := range a.active.AddressesOf(ifname) {
			if other.Type == ipadm.DHCP {
				return ipc.Fail(req, ipc.ErrExists, "%s already has the DHCP address object %s", ifname, other.Object)
			}
		}
	}
	if r := a.ensureIf(req, ifname, family(ad), temporary); r != nil {
		return r
	}
	if ad.Type == ipadm.Static {
		if err := a.configure(ctx, ad, nil); err != nil {
			return failure(req, err)
		}
	}
	a.active.Addresses[obj] = ad
	if !temporary {
		a.persist.Addresses[obj] = ad
		if err := a.save(); err != nil {
			return failure(req, err)
		}
	}
	if ad.Type == ipadm.DHCP {
		_ = a.configure(ctx, ad, c) // the interface actor answers
		return nil
	}
	return ipc.OK(req)
}

// ensureIf makes sure the object's interface is active with family f,
// creating it when the link is not managed yet.
func (a *admin) ensureIf(req *ipc.Request, ifname, f string, temporary bool) *ipc.Reply {
	if obj, ok := a.active.Interfaces[ifname]; ok {
		if !obj.Has(f) {
			return ipc.Fail(req, ipc.ErrInvalid, "interface %s does not have %s: create it with -f %s", ifname, f, f)
		}
		return nil
	}
	if _, ok := a.persist.Interfaces[ifname]; ok {
		return ipc.Fail(req, ipc.ErrDisabled, "interface %s is disabled: use enable-if", ifname)
	}
	if err := a.createIf(ifname, "", temporary); err != nil {
		return failure(req, err)
	}
	return nil
}

// deleteAddr removes an address object from both configurations: a static
// address leaves the kernel, a DHCP one is dropped, or released with -r.
func (a *admin) deleteAddr(ctx actor.Context, c *messages.Command) *ipc.Reply {
	req := c.Req
	obj := req.Args[ipc.ArgObject]
	if _, _, err := ipadm.ParseAddrObj(obj); err != nil {
		return failure(req, err)
	}
	ad, isActive := a.active.Addresses[obj]
	per, isPersist := a.persist.Addresses[obj]
	if !isActive && !isPersist {
		return ipc.Fail(req, ipc.ErrNotFound, "address object %s not found", obj)
	}
	delete(a.active.Addresses, obj)
	delete(a.persist.Addresses, obj)
	if err := a.save(); err != nil {
		return failure(req, err)
	}
	if !isActive {
		return ipc.OK(req)
	}
	if ad.Type == ipadm.Static {
		a.unconfigure(ctx, ad)
		return ipc.OK(req)
	}
	cmd := ipc.CmdDrop
	if req.Args[ipc.ArgRelease] == "yes" {
		cmd = ipc.CmdRelease
	}
	_ = per
	a.relay(ctx, c, &ipc.Request{Version: ipc.Version, ID: req.ID, Command: cmd, Ifname: ad.Ifname}, ipc.ErrUnkIf)
	return nil
}

// refreshAddr renews a DHCP object's lease, or with -i asks for
// configuration for a static one with INFORM.
func (a *admin) refreshAddr(ctx actor.Context, c *messages.Command) *ipc.Reply {
	req := c.Req
	obj := req.Args[ipc.ArgObject]
	if _, _, err := ipadm.ParseAddrObj(obj); err != nil {
		return failure(req, err)
	}
	ad, ok := a.active.Addresses[obj]
	if !ok {
		return ipc.Fail(req, ipc.ErrNotFound, "address object %s is not active", obj)
	}
	inform := req.Args[ipc.ArgInform] == "yes"
	fwd := &ipc.Request{Version: ipc.Version, ID: req.ID, Ifname: ad.Ifname, WaitMs: req.WaitMs}
	switch {
	case ad.Type == ipadm.DHCP && !inform:
		fwd.Command = ipc.CmdExtend
	case ad.Type == ipadm.Static && inform && ad.Addr.Addr().Is4():
		fwd.Command = ipc.CmdInform
		fwd.Args = map[string]string{ipc.ArgAddress: ad.Addr.String()}
	case ad.Type == ipadm.Static && !inform:
		// Refreshing a static address re-applies it.
		if err := a.configure(ctx, ad, nil); err != nil {
			return failure(req, err)
		}
		return ipc.OK(req)
	default:
		return ipc.Fail(req, ipc.ErrInvalid, "-i applies to IPv4 static address objects; %s is %s", obj, ad.Type)
	}
	a.relay(ctx, c, fwd, "")
	return nil
}
