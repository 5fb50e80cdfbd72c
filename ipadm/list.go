package ipadm

import (
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// The listings (show-if, show-addr) in two pure halves around what
// package ipadm/run gathers off the admin actor's Receive: which objects a
// listing names (or its coded error), and their rows from what the kernel
// and the interface actors said of them (Observed).

// IfRow is a line of show-if: the interface, its state (ok, down, failed,
// disabled) and its current and persistent flags.
type IfRow struct {
	Ifname     string
	State      string
	Current    string
	Persistent string
}

// AddrRow is a line of show-addr.
type AddrRow struct {
	Addrobj    string
	Type       string
	State      string
	Current    string
	Persistent string
	Addr       string
}

// Address states of show-addr, besides ok, down and disabled.
const (
	StateTentative = "tentative"
	StateDuplicate = "duplicate"
)

// Link is what the listings show of a link.
type Link struct {
	Up, Carrier                                 bool
	Broadcast, Multicast, PointToPoint, Virtual bool
}

// AddrFlags are the kernel's flags of a static address.
type AddrFlags struct{ Present, Tentative, Duplicate bool }

// Lease is what a DHCP object's interface holds: the address (invalid
// while none is offered yet), whether it is bound, or being declined.
type Lease struct {
	Addr             netip.Prefix
	Bound, Declining bool
}

// Observed is what was gathered for a listing: the links of the active
// interfaces and of the active static objects (a link absent is gone), the
// static objects' flags by object, and the leases of the active DHCP
// objects' interfaces (absent: not running, or no answer).
type Observed struct {
	Links  map[string]Link
	Flags  map[string]AddrFlags
	Leases map[string]Lease
}

// ListIfs names the interface objects show-if lists: want, or every one
// (want ""), active or persistent, by name.
func (c Configs) ListIfs(want string) ([]string, error) {
	if want != "" {
		if err := CheckIfname(want); err != nil {
			return nil, invalid(err)
		}
	}
	var out []string
	for _, n := range union(slices.Collect(maps.Keys(c.Active.Interfaces)), slices.Collect(maps.Keys(c.Persist.Interfaces))) {
		if want == "" || n == want {
			out = append(out, n)
		}
	}
	if want != "" && len(out) == 0 {
		return nil, refuse(ipc.ErrNotFound, "interface %s not found", want)
	}
	return out, nil
}

// IfRows are show-if's rows for names.
func (c Configs) IfRows(names []string, o Observed) []IfRow {
	rows := make([]IfRow, 0, len(names))
	for _, n := range names {
		row := IfRow{Ifname: n, Persistent: "--", Current: "------", State: StateDisabled}
		if per, ok := c.Persist.Interfaces[n]; ok {
			row.Persistent = Persistent(&per)
		}
		if act, ok := c.Active.Interfaces[n]; ok {
			if l, up := o.Links[n]; up {
				row.State = IfState(true, l.Up, l.Carrier)
				row.Current = LinkFlags{Broadcast: l.Broadcast, Multicast: l.Multicast, PointToPoint: l.PointToPoint,
					Virtual: l.Virtual, V4: act.Has(V4), V6: act.Has(V6)}.Current()
			} else {
				row.State = StateFailed // the link went away
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// ListAddrs names the address objects show-addr lists: want (IF/NAME), every
// object of an interface (IF/, as ipadm), or every one (""), by name.
func (c Configs) ListAddrs(want string) ([]string, error) {
	var err error
	ifname, perIf := strings.CutSuffix(want, "/")
	if perIf {
		err = CheckIfname(ifname)
	} else if want != "" {
		_, _, err = ParseAddrObj(want)
	}
	if err != nil {
		return nil, invalid(err)
	}
	var out []string
	for _, o := range union(slices.Collect(maps.Keys(c.Active.Addresses)), slices.Collect(maps.Keys(c.Persist.Addresses))) {
		if want == "" || o == want || perIf && strings.HasPrefix(o, want) {
			out = append(out, o)
		}
	}
	if want != "" && len(out) == 0 {
		return nil, refuse(ipc.ErrNotFound, "address object %s not found", want)
	}
	return out, nil
}

// AddrRows are show-addr's rows for objs.
func (c Configs) AddrRows(objs []string, o Observed) []AddrRow {
	rows := make([]AddrRow, 0, len(objs))
	for _, obj := range objs {
		ad, isActive := c.Active.Addresses[obj]
		if !isActive {
			ad = c.Persist.Addresses[obj]
		}
		_, isPersist := c.Persist.Addresses[obj]
		row := AddrRow{Addrobj: obj, Type: ad.Type, Current: flagU(isActive), Persistent: flagU(isPersist), Addr: "?"}
		if ad.Type == Static {
			row.Addr = ad.Addr.String()
		}
		switch {
		case !isActive:
			row.State = StateDisabled
		case ad.Type == Static:
			row.State = staticState(o.Links[ad.Ifname], o.Flags[obj])
		default:
			l, ok := o.Leases[ad.Ifname]
			row.State, row.Addr = dhcpState(l, ok)
		}
		rows = append(rows, row)
	}
	return rows
}

func flagU(on bool) string {
	if on {
		return "U"
	}
	return "-"
}

// staticState is a static address's state: the kernel's duplicate address
// detection, or down when its link is down, gone (the zero Link) or
// without carrier, or the address is missing.
func staticState(l Link, f AddrFlags) string {
	switch {
	case !l.Up:
		return StateDown
	case f.Duplicate:
		return StateDuplicate
	case f.Tentative:
		return StateTentative
	case !f.Present || !l.Carrier:
		return StateDown
	}
	return StateOK
}

// dhcpState is a DHCP object's state and address: ok once bound,
// duplicate while declining, tentative while acquiring, down when not
// running.
func dhcpState(l Lease, running bool) (state, addr string) {
	switch {
	case !running:
		return StateDown, "?"
	case !l.Addr.IsValid():
		return StateTentative, "?"
	case l.Bound:
		return StateOK, l.Addr.String()
	case l.Declining:
		return StateDuplicate, l.Addr.String()
	}
	return StateTentative, l.Addr.String()
}
