package actors

import (
	"slices"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"go.uber.org/zap"
)

// Interface objects (SPEC §4): create-if, delete-if, enable-if and
// disable-if, per address family as illumos ipadm has them.

// createIf puts a link under management: up, with its families enabled.
func (a *admin) createIf(name, fams string, temporary bool) error {
	if err := ipadm.CheckIfname(name); err != nil {
		return err
	}
	families, err := ipadm.ParseFamilies(fams)
	if err != nil {
		return err
	}
	// Per address family, as illumos: create-if -f v4 then -f v6 adds v6.
	obj := ipadm.Interface{Name: name}
	if act, ok := a.active.Interfaces[name]; ok {
		if slices.ContainsFunc(families, act.Has) {
			return fail(ipc.ErrExists, "interface %s exists", name)
		}
		obj = act
	} else if _, ok := a.persist.Interfaces[name]; ok {
		return fail(ipc.ErrDisabled, "interface %s has a persistent configuration: use enable-if", name)
	}
	obj.Families = append(slices.Clone(obj.Families), families...)
	if err := a.plumb(obj); err != nil {
		return err
	}
	a.active.Interfaces[name] = obj
	if temporary {
		return nil
	}
	per, ok := a.persist.Interfaces[name]
	if !ok {
		per = ipadm.Interface{Name: name}
	}
	for _, f := range families {
		if !per.Has(f) {
			per.Families = append(per.Families, f)
		}
	}
	a.persist.Interfaces[name] = per
	return a.save()
}

// plumb brings the link up with the object's families.
func (a *admin) plumb(obj ipadm.Interface) error {
	st, err := a.env.Admin.State(obj.Name)
	if err != nil {
		return err
	}
	if err := a.env.Admin.SetUp(st.Index, true); err != nil {
		return err
	}
	if obj.Has(ipadm.V6) {
		return a.env.Admin.SetIPv6(obj.Name, true)
	}
	return nil
}

// deleteIf removes the interface (or one family of it) from both
// configurations, with its address objects.
func (a *admin) deleteIf(ctx actor.Context, name, fams string) (drops []<-chan *messages.Result, err error) {
	if err := ipadm.CheckIfname(name); err != nil {
		return nil, err
	}
	act, isActive := a.active.Interfaces[name]
	per, isPersist := a.persist.Interfaces[name]
	if !isActive && !isPersist {
		return nil, fail(ipc.ErrNotFound, "interface %s not found", name)
	}
	families := []string{ipadm.V4, ipadm.V6}
	if fams != "" {
		if families, err = ipadm.ParseFamilies(fams); err != nil {
			return nil, err
		}
	}
	gone := func(ad ipadm.Address) bool { return slices.Contains(families, family(ad)) }
	for _, ad := range a.active.AddressesOf(name) {
		if gone(ad) {
			if d := a.unconfigure(ctx, ad); d != nil {
				drops = append(drops, d)
			}
			delete(a.active.Addresses, ad.Object)
		}
	}
	for _, ad := range a.persist.AddressesOf(name) {
		if gone(ad) {
			delete(a.persist.Addresses, ad.Object)
		}
	}
	if isActive {
		hadV6 := act.Has(ipadm.V6)
		act.Families = without(act.Families, families)
		if len(act.Families) == 0 {
			delete(a.active.Interfaces, name)
			a.unplumb(name, hadV6) // a v4-only object never touched IPv6
		} else {
			a.active.Interfaces[name] = act
			if slices.Contains(families, ipadm.V6) {
				a.unplumbV6(name)
			}
		}
	}
	if isPersist {
		per.Families = without(per.Families, families)
		if len(per.Families) == 0 {
			delete(a.persist.Interfaces, name)
		} else {
			a.persist.Interfaces[name] = per
		}
	}
	return drops, a.save()
}

// unplumb takes a link out of IP use: IPv6 off and the link down. A link
// that is gone already needs nothing.
func (a *admin) unplumb(name string, v6 bool) {
	st, err := a.env.Admin.State(name)
	if err != nil {
		return
	}
	if st.Loopback {
		return // the host's loopback stays as it is, managed or not
	}
	if v6 {
		_ = a.env.Admin.SetIPv6(name, false)
	}
	if err := a.env.Admin.SetUp(st.Index, false); err != nil {
		a.log.Warn("setting the link down failed", zap.String("iface", name), zap.Error(err))
	}
}

// unplumbV6 turns IPv6 off on a link that keeps IPv4, except on the
// loopback, whose ::1 the host's own services depend on.
func (a *admin) unplumbV6(name string) {
	if st, err := a.env.Admin.State(name); err == nil && !st.Loopback {
		_ = a.env.Admin.SetIPv6(name, false)
	}
}

func without(have, drop []string) []string {
	return slices.DeleteFunc(slices.Clone(have), func(f string) bool { return slices.Contains(drop, f) })
}

// family is the address family an address object belongs to.
func family(ad ipadm.Address) string {
	if ad.Type == ipadm.Static && ad.Addr.Addr().Is6() {
		return ipadm.V6
	}
	return ipadm.V4
}

func (a *admin) enableIf(ctx actor.Context, name string) error {
	if err := ipadm.CheckIfname(name); err != nil {
		return err
	}
	if _, ok := a.persist.Interfaces[name]; !ok {
		return fail(ipc.ErrNotFound, "interface %s has no persistent configuration", name)
	}
	if _, ok := a.active.Interfaces[name]; ok {
		return fail(ipc.ErrExists, "interface %s is enabled", name)
	}
	return a.enable(ctx, name)
}

// enable replays a persistent interface with its address objects.
func (a *admin) enable(ctx actor.Context, name string) error {
	obj := a.persist.Interfaces[name]
	if err := a.plumb(obj); err != nil {
		return err
	}
	a.active.Interfaces[name] = obj
	for _, ad := range a.persist.AddressesOf(name) {
		if err := a.configure(ctx, ad, nil); err != nil {
			a.log.Warn("address object not enabled", zap.String("object", ad.Object), zap.Error(err))
			continue
		}
		a.active.Addresses[ad.Object] = ad
	}
	return nil
}

func (a *admin) disableIf(ctx actor.Context, name string) (drops []<-chan *messages.Result, err error) {
	if err := ipadm.CheckIfname(name); err != nil {
		return nil, err
	}
	obj, ok := a.active.Interfaces[name]
	if !ok {
		return nil, fail(ipc.ErrNotFound, "interface %s is not enabled", name)
	}
	for _, ad := range a.active.AddressesOf(name) {
		if d := a.unconfigure(ctx, ad); d != nil {
			drops = append(drops, d)
		}
		delete(a.active.Addresses, ad.Object)
	}
	delete(a.active.Interfaces, name)
	a.unplumb(name, obj.Has(ipadm.V6))
	return drops, nil
}
