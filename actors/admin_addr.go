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
func (a *admin) createAddr(ctx actor.Context, c *messages.Command, r messages.CreateAddr) *messages.Result {
	ifname, _, err := ipadm.ParseAddrObj(r.Object)
	if err != nil {
		return failure(err)
	}
	obj := r.Object
	ad := ipadm.Address{Object: obj, Ifname: ifname, Type: r.Type, Hostname: r.Hostname, Primary: r.Primary}
	switch ad.Type {
	case ipadm.Static:
		p, err := netip.ParsePrefix(r.Address)
		if err != nil || p.Addr().Zone() != "" {
			return messages.Fail(ipc.ErrInvalid, "-a %q: want ADDR/PLEN", r.Address)
		}
		ad.Addr = p
	case ipadm.DHCP:
		ad.WaitMs = -1
		if c.Wait >= 0 {
			ad.WaitMs = c.Wait.Milliseconds()
		}
	default:
		return messages.Fail(ipc.ErrInvalid, "-T %q: want static or dhcp", ad.Type)
	}
	if _, ok := a.active.Addresses[obj]; ok {
		return messages.Fail(ipc.ErrExists, "address object %s exists", obj)
	}
	if _, ok := a.persist.Addresses[obj]; ok {
		return messages.Fail(ipc.ErrDisabled, "address object %s has a persistent configuration: use enable-if %s", obj, ifname)
	}
	if ad.Type == ipadm.DHCP {
		for _, other := range a.active.AddressesOf(ifname) {
			if other.Type == ipadm.DHCP {
				return messages.Fail(ipc.ErrExists, "%s already has the DHCP address object %s", ifname, other.Object)
			}
		}
	}
	if err := a.ensureIf(ifname, family(ad), r.Temporary); err != nil {
		return failure(err)
	}
	if ad.Type == ipadm.Static {
		if err := a.configure(ctx, ad, nil); err != nil {
			return failure(err)
		}
	}
	a.active.Addresses[obj] = ad
	if !r.Temporary {
		a.persist.Addresses[obj] = ad
		if err := a.save(); err != nil {
			return failure(err)
		}
	}
	if ad.Type == ipadm.DHCP {
		_ = a.configure(ctx, ad, c) // the interface actor answers
		return nil
	}
	return messages.OK()
}

// ensureIf makes sure the object's interface is active with family f,
// creating it when the link is not managed yet.
func (a *admin) ensureIf(ifname, f string, temporary bool) error {
	if obj, ok := a.active.Interfaces[ifname]; ok {
		if !obj.Has(f) {
			return fail(ipc.ErrInvalid, "interface %s does not have %s: create it with -f %s", ifname, f, f)
		}
		return nil
	}
	if _, ok := a.persist.Interfaces[ifname]; ok {
		return fail(ipc.ErrDisabled, "interface %s is disabled: use enable-if", ifname)
	}
	return a.createIf(ifname, "", temporary)
}

// deleteAddr removes an address object from both configurations: a static
// address leaves the kernel, a DHCP one is dropped, or released with -r.
func (a *admin) deleteAddr(ctx actor.Context, c *messages.Command, r messages.DeleteAddr) *messages.Result {
	obj := r.Object
	if _, _, err := ipadm.ParseAddrObj(obj); err != nil {
		return failure(err)
	}
	ad, isActive := a.active.Addresses[obj]
	_, isPersist := a.persist.Addresses[obj]
	if !isActive && !isPersist {
		return messages.Fail(ipc.ErrNotFound, "address object %s not found", obj)
	}
	delete(a.active.Addresses, obj)
	delete(a.persist.Addresses, obj)
	if err := a.save(); err != nil {
		return failure(err)
	}
	if !isActive {
		return messages.OK()
	}
	if ad.Type == ipadm.Static {
		a.unconfigure(ctx, ad)
		return messages.OK()
	}
	a.relay(ctx, c, ad.Ifname, messages.Drop{Release: r.Release}, ipc.ErrUnkIf)
	return nil
}

// refreshAddr renews a DHCP object's lease, or with -i asks for
// configuration for a static one with INFORM. Either answers as the
// interface command does, with the interface's status.
func (a *admin) refreshAddr(ctx actor.Context, c *messages.Command, r messages.RefreshAddr) *messages.Result {
	obj := r.Object
	if _, _, err := ipadm.ParseAddrObj(obj); err != nil {
		return failure(err)
	}
	ad, ok := a.active.Addresses[obj]
	if !ok {
		return messages.Fail(ipc.ErrNotFound, "address object %s is not active", obj)
	}
	switch {
	case ad.Type == ipadm.DHCP && !r.Inform:
		a.relay(ctx, c, ad.Ifname, messages.Extend{}, "")
	case ad.Type == ipadm.Static && r.Inform && ad.Addr.Addr().Is4():
		a.relay(ctx, c, ad.Ifname, messages.Inform{Addr: ad.Addr}, "")
	case ad.Type == ipadm.Static && !r.Inform:
		// Refreshing a static address re-applies it.
		if err := a.configure(ctx, ad, nil); err != nil {
			return failure(err)
		}
		return messages.OK()
	default:
		return messages.Fail(ipc.ErrInvalid, "-i applies to IPv4 static address objects; %s is %s", obj, ad.Type)
	}
	return nil
}
