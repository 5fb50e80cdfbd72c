package ipadm

import (
	"maps"
	"net/netip"
	"slices"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// The decisions of the address object commands.

// NewAddr is create-addr's request.
type NewAddr struct {
	Object, Type, Address, Hostname string
	Primary, Temporary              bool
	// WaitMs is how long the command waits for the lease, -1 forever.
	WaitMs int64
}

// CreateAddr creates an address object. Its interface is created with it
// when the link is not managed yet, as illumos ipadm does; a persistent
// but disabled interface must be enabled first.
func (c Configs) CreateAddr(r NewAddr) (Plan, error) {
	ifname, _, err := ParseAddrObj(r.Object)
	if err != nil {
		return Plan{}, invalid(err)
	}
	obj := r.Object
	ad := Address{Object: obj, Ifname: ifname, Type: r.Type, Hostname: r.Hostname, Primary: r.Primary}
	switch ad.Type {
	case Static:
		p, err := netip.ParsePrefix(r.Address)
		if err != nil || p.Addr().Zone() != "" {
			return Plan{}, refuse(ipc.ErrInvalid, "-a %q: want ADDR/PLEN", r.Address)
		}
		ad.Addr = p
		ad.Hostname, ad.Primary = "", false
	case DHCP:
		ad.WaitMs = r.WaitMs
	default:
		return Plan{}, refuse(ipc.ErrInvalid, "-T %q: want static or dhcp", ad.Type)
	}
	if _, ok := c.Active.Addresses[obj]; ok {
		return Plan{}, refuse(ipc.ErrExists, "address object %s exists", obj)
	}
	if _, ok := c.Persist.Addresses[obj]; ok {
		return Plan{}, refuse(ipc.ErrDisabled, "address object %s has a persistent configuration: use enable-if %s", obj, ifname)
	}
	if ad.Type == DHCP {
		for _, other := range c.Active.AddressesOf(ifname) {
			if other.Type == DHCP {
				return Plan{}, refuse(ipc.ErrExists, "%s already has the DHCP address object %s", ifname, other.Object)
			}
		}
	}
	var p Plan
	next := c
	if act, ok := c.Active.Interfaces[ifname]; ok {
		f := Family(ad)
		if !act.Has(f) {
			return Plan{}, refuse(ipc.ErrInvalid, "interface %s does not have %s: create it with -f %s", ifname, f, f)
		}
		if per, ok := c.Persist.Interfaces[ifname]; !r.Temporary && (!ok || !per.Has(f)) {
			// illumos: a persistent operation on a temporary object.
			return Plan{}, refuse(ipc.ErrInvalid, "interface %s has %s only temporarily: create the address with -t", ifname, f)
		}
		// One DHCP object per interface, persistent ones too: the next
		// start would replay both.
		for _, other := range c.Persist.AddressesOf(ifname) {
			if other.Type == DHCP && ad.Type == DHCP {
				return Plan{}, refuse(ipc.ErrExists, "%s already has the DHCP address object %s", ifname, other.Object)
			}
		}
	} else {
		if p, err = c.CreateIf(ifname, "", r.Temporary); err != nil {
			return Plan{}, err
		}
		for _, s := range p.Steps {
			next = next.Commit(s, true)
		}
		p.Steps = slices.DeleteFunc(p.Steps, func(s Step) bool { return s.Op == Save })
	}
	if ad.Type == Static {
		p.Steps = append(p.Steps, configure(ad, r.Temporary, false))
	}
	if !r.Temporary {
		per := next.Persist.Clone()
		per.Addresses[obj] = ad
		p.Steps = append(p.Steps, Step{Op: Save, Config: per})
	}
	if ad.Type == DHCP {
		s := configure(ad, r.Temporary, false)
		// An interface already started with agentctl start is what the
		// object describes: RUNNING is success here.
		s.Answers, s.OK = true, ipc.ErrRunning
		p.Steps = append(p.Steps, s)
	}
	return p, nil
}

// DeleteAddr removes an address object from both configurations: a static
// address leaves the kernel, a DHCP one is dropped, or released.
func (c Configs) DeleteAddr(obj string, release bool) (Plan, error) {
	if _, _, err := ParseAddrObj(obj); err != nil {
		return Plan{}, invalid(err)
	}
	ad, isActive := c.Active.Addresses[obj]
	_, isPersist := c.Persist.Addresses[obj]
	if !isActive && !isPersist {
		return Plan{}, refuse(ipc.ErrNotFound, "address object %s not found", obj)
	}
	var p Plan
	if isPersist {
		per := c.Persist.Clone()
		delete(per.Addresses, obj)
		p.Steps = append(p.Steps, Step{Op: Save, Config: per})
	}
	if isActive {
		s := removal(ad)
		if ad.Type == DHCP {
			s.Release, s.Answers, s.OK = release, true, ipc.ErrUnkIf
		}
		p.Steps = append(p.Steps, s)
	}
	return p, nil
}

// RefreshAddr renews a DHCP object's lease, or with inform asks for
// configuration for an IPv4 static one with INFORM; a static object
// without inform is applied again.
func (c Configs) RefreshAddr(obj string, inform bool) (Plan, error) {
	if _, _, err := ParseAddrObj(obj); err != nil {
		return Plan{}, invalid(err)
	}
	ad, ok := c.Active.Addresses[obj]
	if !ok {
		return Plan{}, refuse(ipc.ErrNotFound, "address object %s is not active", obj)
	}
	switch {
	case ad.Type == DHCP && !inform:
		return Plan{Steps: []Step{{Op: ExtendDHCP, Addr: ad, Answers: true}}}, nil
	case ad.Type == Static && inform && ad.Addr.Addr().Is4():
		return Plan{Steps: []Step{{Op: InformDHCP, Addr: ad, Answers: true}}}, nil
	case ad.Type == Static && !inform:
		return Plan{Steps: []Step{{Op: AddStatic, Addr: ad}}}, nil
	}
	return Plan{}, refuse(ipc.ErrInvalid, "-i applies to IPv4 static address objects; %s is %s", obj, ad.Type)
}

// Shutdown removes the temporary static addresses as the agent stops: their
// configuration dies with the agent, so the kernel must not keep addresses
// that no object describes. Persistent ones stay (the next agent applies
// them again, and they do not blink); the manager drops the DHCP objects.
func (c Configs) Shutdown() Plan {
	var p Plan
	for _, obj := range slices.Sorted(maps.Keys(c.Active.Addresses)) {
		ad := c.Active.Addresses[obj]
		if _, persistent := c.Persist.Addresses[obj]; !persistent && ad.Type == Static {
			p.Steps = append(p.Steps, Step{Op: RemoveStatic, Addr: ad, BestEffort: true})
		}
	}
	return p
}
