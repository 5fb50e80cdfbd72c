package ipadm

import (
	"maps"
	"slices"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// The decisions of the interface object commands.

// CreateIf puts a link under management: up, with its families, persistent
// unless temporary. Per address family, as illumos: -f v4 then -f v6 adds
// v6.
func (c Configs) CreateIf(name, fams string, temporary bool) (Plan, error) {
	if err := CheckIfname(name); err != nil {
		return Plan{}, invalid(err)
	}
	families, err := ParseFamilies(fams)
	if err != nil {
		return Plan{}, invalid(err)
	}
	obj := Interface{Name: name}
	if act, ok := c.Active.Interfaces[name]; ok {
		if slices.ContainsFunc(families, act.Has) {
			return Plan{}, refuse(ipc.ErrExists, "interface %s exists", name)
		}
		obj = act
	} else if _, ok := c.Persist.Interfaces[name]; ok {
		return Plan{}, refuse(ipc.ErrDisabled, "interface %s has a persistent configuration: use enable-if", name)
	}
	obj.Families = union(obj.Families, families)
	p := Plan{Steps: []Step{{Op: Plumb, If: obj}}}
	if !temporary {
		per := c.Persist.Clone()
		i := per.Interfaces[name]
		i.Name, i.Families = name, union(i.Families, families)
		per.Interfaces[name] = i
		p.Steps = append(p.Steps, Step{Op: Save, Config: per})
	}
	return p, nil
}

// DeleteIf removes the interface, or the families fams of it, from both
// configurations, with its address objects of those families.
func (c Configs) DeleteIf(name, fams string) (Plan, error) {
	if err := CheckIfname(name); err != nil {
		return Plan{}, invalid(err)
	}
	act, isActive := c.Active.Interfaces[name]
	per, isPersist := c.Persist.Interfaces[name]
	if !isActive && !isPersist {
		return Plan{}, refuse(ipc.ErrNotFound, "interface %s not found", name)
	}
	families, err := ParseFamilies(fams)
	if err != nil {
		return Plan{}, invalid(err)
	}
	gone := func(ad Address) bool { return slices.Contains(families, Family(ad)) }
	var p Plan
	for _, ad := range c.Active.AddressesOf(name) {
		if gone(ad) {
			p.Steps = append(p.Steps, removal(ad))
		}
	}
	if isActive {
		// Only the families the object has: a v4-only object never
		// touched IPv6.
		if drop := intersect(act.Families, families); len(drop) > 0 {
			p.Steps = append(p.Steps, Step{Op: Unplumb, If: Interface{Name: name, Families: without(act.Families, drop)},
				Drop: drop, BestEffort: true})
		}
	}
	if isPersist {
		next := c.Persist.Clone()
		for _, ad := range c.Persist.AddressesOf(name) {
			if gone(ad) {
				delete(next.Addresses, ad.Object)
			}
		}
		if per.Families = without(per.Families, families); len(per.Families) == 0 {
			delete(next.Interfaces, name)
		} else {
			next.Interfaces[name] = per
		}
		p.Steps = append(p.Steps, Step{Op: Save, Config: next})
	}
	return p, nil
}

// EnableIf replays a persistent interface with its address objects; Boot:
// at the agent's start-up. An address object the kernel refuses is left
// out of the active configuration; the interface stays enabled.
func (c Configs) EnableIf(name string, boot bool) (Plan, error) {
	if err := CheckIfname(name); err != nil {
		return Plan{}, invalid(err)
	}
	obj, ok := c.Persist.Interfaces[name]
	if !ok {
		return Plan{}, refuse(ipc.ErrNotFound, "interface %s has no persistent configuration", name)
	}
	if _, ok := c.Active.Interfaces[name]; ok {
		return Plan{}, refuse(ipc.ErrExists, "interface %s is enabled", name)
	}
	p := Plan{Steps: []Step{{Op: Plumb, If: obj}}}
	for _, ad := range c.Persist.AddressesOf(name) {
		s := configure(ad, false, boot)
		s.BestEffort = true
		p.Steps = append(p.Steps, s)
	}
	return p, nil
}

// Replay is what the agent brings up at start-up: every persistent
// interface enabled, in name order.
func (c Configs) Replay() []Plan {
	var out []Plan
	for _, name := range slices.Sorted(maps.Keys(c.Persist.Interfaces)) {
		if p, err := c.EnableIf(name, true); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// DisableIf takes the interface and its address objects out of the active
// configuration; the persistent one stays.
func (c Configs) DisableIf(name string) (Plan, error) {
	if err := CheckIfname(name); err != nil {
		return Plan{}, invalid(err)
	}
	obj, ok := c.Active.Interfaces[name]
	if !ok {
		return Plan{}, refuse(ipc.ErrNotFound, "interface %s is not enabled", name)
	}
	var p Plan
	for _, ad := range c.Active.AddressesOf(name) {
		p.Steps = append(p.Steps, removal(ad))
	}
	p.Steps = append(p.Steps, Step{Op: Unplumb, If: Interface{Name: name}, Drop: slices.Clone(obj.Families), BestEffort: true})
	return p, nil
}
