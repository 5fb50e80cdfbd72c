package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// printStatus prints one interface: a JSON object with -o json, else the
// illumos layout.
func (c *cli) printStatus(s *ipc.Status) error {
	if s == nil {
		return nil
	}
	if c.output == "json" {
		return json.NewEncoder(c.stdout).Encode(s)
	}
	return c.table([]ipc.Status{*s})
}

// printStatuses prints every interface: a JSON array with -o json.
func (c *cli) printStatuses(ss []ipc.Status) error {
	if c.output == "json" {
		if ss == nil {
			ss = []ipc.Status{}
		}
		return json.NewEncoder(c.stdout).Encode(ss)
	}
	return c.table(ss)
}

// table prints statuses as illumos `ifconfig IF dhcp status` does: a line
// of counters per interface, then the lease's times; address and server
// follow the illumos columns.
func (c *cli) table(ss []ipc.Status) error {
	fmt.Fprintf(c.stdout, "%-10s %-12s %5s %5s %9s  %-16s %-18s %s\n",
		"Interface", "State", "Sent", "Recv", "Declined", "Flags", "Address", "Server")
	for _, s := range ss {
		addr, server := "-", "-"
		if s.Address != "" {
			addr = fmt.Sprintf("%s/%d", s.Address, s.Prefix)
			server = s.Server
		}
		fmt.Fprintf(c.stdout, "%-10s %-12s %5d %5d %9d  %-16s %-18s %s\n", s.Ifname, s.State, s.Sent, s.Received,
			s.Declined, "["+strings.Join(s.Flags, " ")+"]", addr, server)
		if s.Began != nil {
			fmt.Fprintf(c.stdout, "(Began, Expires, Renew) = (%s, %s, %s)\n", when(s.Began), when(s.Expires), when(s.T1))
		}
		if s.V6OnlyUntil != nil {
			// RFC 8925: the network asked for IPv6 only.
			fmt.Fprintf(c.stdout, "(IPv6-only, DHCPv4 resumes) = (%s)\n", when(s.V6OnlyUntil))
		}
		for _, w := range s.Warnings {
			// What the agent ran on past: a damaged or unwritable state dir.
			fmt.Fprintf(c.stdout, "Warning (%s): %s\n", when(&w.Time), terminalText(w.Message))
		}
	}
	return nil
}

// printRefusals lists the interface's latest refusals and failures under
// its status line, oldest first: why it has no address, without reading
// logs. The detail comes from the agent, partly from a server: it is
// escaped like info's values.
func (c *cli) printRefusals(rs []ipc.Refusal) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(c.stdout, "Refused (oldest first):")
	for _, r := range rs {
		fmt.Fprintf(c.stdout, "  %s  %-20s %s\n", when(&r.Time), terminalText(r.Reason), terminalText(r.Detail))
	}
}

func when(t *time.Time) string {
	if t == nil {
		return "Never"
	}
	return t.Local().Format("01/02/2006 15:04:05")
}
