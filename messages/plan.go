package messages

import "github.com/dhcpagent/dhcpagent/ipadm"

// PlanOf is the decision package ipadm makes of an administrative command
// that changes objects (SPEC §4): given the persistent and the active
// configuration, the command's plan or its coded refusal. False for the
// listings (ShowIf, ShowAddr), which change nothing, and for every
// request that is not administrative. CreateAddr's wait is the command's
// own (Wait, Forever as -1): the DHCP object remembers it.
func PlanOf(c *Command) (func(ipadm.Configs) (ipadm.Plan, error), bool) {
	ifname := c.Ifname
	switch r := c.Req.(type) {
	case CreateIf:
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateIf(ifname, r.Families, r.Temporary) }, true
	case DeleteIf:
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.DeleteIf(ifname, r.Families) }, true
	case EnableIf:
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.EnableIf(ifname, false) }, true
	case DisableIf:
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.DisableIf(ifname) }, true
	case CreateAddr:
		wait := int64(-1)
		if c.Wait >= 0 {
			wait = c.Wait.Milliseconds()
		}
		na := ipadm.NewAddr{Object: r.Object, Type: r.Type, Address: r.Address, Hostname: r.Hostname,
			Primary: r.Primary, Temporary: r.Temporary, WaitMs: wait}
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateAddr(na) }, true
	case DeleteAddr:
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.DeleteAddr(r.Object, r.Release) }, true
	case RefreshAddr:
		return func(s ipadm.Configs) (ipadm.Plan, error) { return s.RefreshAddr(r.Object, r.Inform) }, true
	}
	return nil, false
}
