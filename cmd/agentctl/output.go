package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
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
// of counters, then the lease's times.
func (c *cli) table(ss []ipc.Status) error {
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "Interface\tState\tSent\tRecv\tDeclined\tFlags\tAddress\tServer")
	for _, s := range ss {
		addr := "-"
		if s.Address != "" {
			addr = fmt.Sprintf("%s/%d", s.Address, s.Prefix)
		}
		server := "-"
		if s.Server != "" {
			server = s.Server
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t[%s]\t%s\t%s\n", s.Ifname, s.State, s.Sent, s.Received,
			s.Declined, strings.Join(s.Flags, " "), addr, server)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, s := range ss {
		if s.Began != nil {
			fmt.Fprintf(c.stdout, "%s (Began, Expires, Renew) = (%s, %s, %s)\n",
				s.Ifname, when(s.Began), when(s.Expires), when(s.T1))
		}
	}
	return nil
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("01/02/2006 15:04:05")
}
