package ipadm

import (
	"fmt"
	"strings"
)

// LinkFlags are what show-if's CURRENT column reports of a link.
type LinkFlags struct {
	Broadcast, Multicast, PointToPoint, Virtual bool
	V4, V6                                      bool // families enabled
}

// Current renders show-if's CURRENT flags in fixed positions, '-' for an
// absent flag: b broadcast, m multicast, p point-to-point, v virtual, then
// 4 and 6 (ipadm(8)).
func (f LinkFlags) Current() string {
	return flag(f.Broadcast, 'b') + flag(f.Multicast, 'm') + flag(f.PointToPoint, 'p') +
		flag(f.Virtual, 'v') + flag(f.V4, '4') + flag(f.V6, '6')
}

// Persistent renders show-if's PERSISTENT flags for the persisted
// families; "--" when the interface is not persistent.
func Persistent(i *Interface) string {
	if i == nil {
		return "--"
	}
	return flag(i.Has(V4), '4') + flag(i.Has(V6), '6')
}

func flag(on bool, c byte) string {
	if on {
		return string(c)
	}
	return "-"
}

// Interface states of show-if.
const (
	StateOK       = "ok"
	StateDown     = "down"
	StateFailed   = "failed" // no carrier
	StateDisabled = "disabled"
)

// IfState is show-if's STATE: disabled when only persistent, down when the
// link is administratively down, failed without carrier, else ok.
func IfState(active, adminUp, carrier bool) string {
	switch {
	case !active:
		return StateDisabled
	case !adminUp:
		return StateDown
	case !carrier:
		return StateFailed
	}
	return StateOK
}

// Columns of show-if and show-addr.
var (
	IfFields   = []string{"IFNAME", "STATE", "CURRENT", "PERSISTENT"}
	AddrFields = []string{"ADDROBJ", "TYPE", "STATE", "CURRENT", "PERSISTENT", "ADDR"}
)

// SelectFields parses -o: comma-separated field names, any case, or
// "all"; empty means all.
func SelectFields(all []string, spec string) ([]int, error) {
	if spec == "" || strings.EqualFold(spec, "all") {
		idx := make([]int, len(all))
		for i := range all {
			idx[i] = i
		}
		return idx, nil
	}
	var idx []int
	for _, f := range strings.Split(spec, ",") {
		found := false
		for i, name := range all {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				idx, found = append(idx, i), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown field %q: want some of %s", f, strings.Join(all, ","))
		}
	}
	return idx, nil
}

// Table renders rows under a header of the selected fields, in columns.
func Table(all []string, idx []int, rows [][]string) string {
	widths := make([]int, len(idx))
	for j, i := range idx {
		widths[j] = len(all[i])
		for _, r := range rows {
			widths[j] = max(widths[j], len(r[i]))
		}
	}
	var b strings.Builder
	line := func(cells func(i int) string) {
		for j, i := range idx {
			if j == len(idx)-1 {
				b.WriteString(cells(i))
			} else {
				fmt.Fprintf(&b, "%-*s ", widths[j], cells(i))
			}
		}
		b.WriteString("\n")
	}
	line(func(i int) string { return all[i] })
	for _, r := range rows {
		line(func(i int) string { return r[i] })
	}
	return b.String()
}

// Parsable renders rows as ipadm -p does: the selected values joined by
// ':', with ':' and '\' inside a value escaped by a backslash; no header.
func Parsable(idx []int, rows [][]string) string {
	var b strings.Builder
	esc := strings.NewReplacer(`\`, `\\`, ":", `\:`)
	for _, r := range rows {
		for j, i := range idx {
			if j > 0 {
				b.WriteByte(':')
			}
			if len(idx) > 1 {
				b.WriteString(esc.Replace(r[i]))
			} else {
				b.WriteString(r[i]) // ipadm leaves a single field unescaped
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
