package main

import (
	"encoding/json"
	"fmt"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/spf13/cobra"
)

// The ipadm-style verbs (SPEC §4).

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func (c *cli) ipadmCmds() []*cobra.Command {
	return []*cobra.Command{c.createIfCmd(), c.deleteIfCmd(), c.enableIfCmd(), c.disableIfCmd(), c.showIfCmd(),
		c.createAddrCmd(), c.deleteAddrCmd(), c.refreshAddrCmd(), c.showAddrCmd()}
}

// simple sends a command (unless req is nil) and prints nothing but
// errors, or {"result": "OK"} with -o json.
func (c *cli) simple(cmd *cobra.Command, req *ipc.Request) error {
	if req != nil {
		if _, err := c.do(cmd, req); err != nil {
			return err
		}
	}
	if c.output == "json" {
		return json.NewEncoder(c.stdout).Encode(map[string]string{"result": "OK"})
	}
	return nil
}

func (c *cli) createIfCmd() *cobra.Command {
	var (
		temporary bool
		family    string
	)
	cmd := &cobra.Command{
		Use:   "create-if [-t] [-f v4|v6] IF",
		Short: "Put a link under management: up, with its address families (persistent unless -t)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.simple(cmd, &ipc.Request{Command: ipc.CmdCreateIf, Ifname: args[0],
				Args: map[string]string{ipc.ArgTemporary: yes(temporary), ipc.ArgFamilies: family}})
		},
	}
	cmd.Flags().BoolVarP(&temporary, "temporary", "t", false, "active configuration only: gone after a restart")
	cmd.Flags().StringVarP(&family, "family", "f", "", "v4 or v6 (default both)")
	return cmd
}

func (c *cli) deleteIfCmd() *cobra.Command {
	var family string
	cmd := &cobra.Command{
		Use:   "delete-if [-f v4|v6] IF",
		Short: "Remove an interface and its address objects from the active and persistent configuration",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.simple(cmd, &ipc.Request{Command: ipc.CmdDeleteIf, Ifname: args[0],
				Args: map[string]string{ipc.ArgFamilies: family}})
		},
	}
	cmd.Flags().StringVarP(&family, "family", "f", "", "only this family: v4 or v6")
	return cmd
}

func (c *cli) enableIfCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "enable-if IF",
		Short: "Bring a persistent interface and its address objects into the active configuration",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.simple(cmd, &ipc.Request{Command: ipc.CmdEnableIf, Ifname: args[0]})
		},
	}
}

func (c *cli) disableIfCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "disable-if IF",
		Short: "Take an interface out of the active configuration, keeping the persistent one",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.simple(cmd, &ipc.Request{Command: ipc.CmdDisableIf, Ifname: args[0]})
		},
	}
}

// showFlags are show-if's and show-addr's -p. Their -o is the global
// one: "json" for JSON, anything else the fields to print, as in ipadm.
type showFlags struct {
	parsable bool
}

func (f *showFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&f.parsable, "parsable", "p", false, "print machine-parsable output (needs -o FIELDS)")
	cmd.Annotations = map[string]string{fieldsAnnotation: "yes"}
}

// fieldsAnnotation marks commands whose -o may name fields.
const fieldsAnnotation = "fields"

// print renders rows as a table, ipadm's parsable form, or JSON.
func (c *cli) print(f showFlags, all []string, rows [][]string, asJSON any) error {
	if c.output == "json" {
		return json.NewEncoder(c.stdout).Encode(asJSON)
	}
	if f.parsable && c.output == "" {
		return fmt.Errorf("%w: -p needs -o FIELDS", errUsage)
	}
	idx, err := ipadm.SelectFields(all, c.output)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if f.parsable {
		_, err = fmt.Fprint(c.stdout, ipadm.Parsable(idx, rows))
	} else {
		_, err = fmt.Fprint(c.stdout, ipadm.Table(all, idx, rows))
	}
	return err
}

func (c *cli) showIfCmd() *cobra.Command {
	var f showFlags
	cmd := &cobra.Command{
		Use:   "show-if [-p] [-o FIELDS|json] [IF]",
		Short: "Show interfaces: IFNAME STATE CURRENT PERSISTENT",
		Long: "show-if lists the managed interfaces. STATE is ok, down (link down), failed (no carrier)\n" +
			"or disabled (persistent only). CURRENT flags: b broadcast, m multicast, p point-to-point,\n" +
			"v virtual, 4 and 6 the enabled families. PERSISTENT: the persisted families.",
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &ipc.Request{Command: ipc.CmdShowIf}
			if len(args) == 1 {
				req.Ifname = args[0]
			}
			rep, err := c.do(cmd, req)
			if err != nil {
				return err
			}
			rows := make([][]string, 0, len(rep.Interfaces))
			for _, i := range rep.Interfaces {
				rows = append(rows, []string{i.Ifname, i.State, i.Current, i.Persistent})
			}
			list := rep.Interfaces
			if list == nil {
				list = []ipc.IfInfo{}
			}
			return c.print(f, ipadm.IfFields, rows, list)
		},
	}
	f.add(cmd)
	return cmd
}

func (c *cli) createAddrCmd() *cobra.Command {
	var (
		temporary bool
		typ, addr string
		wait      string
		host      string
		primary   bool
	)
	cmd := &cobra.Command{
		Use:   "create-addr [-t] -T static -a ADDR/PLEN IF/NAME | create-addr [-t] -T dhcp [-w SECS|forever] [-h HOST] [--primary] IF/NAME",
		Short: "Create a static or DHCP address object (persistent unless -t)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &ipc.Request{Command: ipc.CmdCreateAddr, Args: map[string]string{
				ipc.ArgObject: args[0], ipc.ArgType: typ, ipc.ArgAddress: addr, ipc.ArgHostname: host,
				ipc.ArgTemporary: yes(temporary), ipc.ArgPrimary: yes(primary)}}
			if typ == ipadm.DHCP {
				ms, err := parseWait(wait)
				if err != nil {
					return err
				}
				req.WaitMs = &ms
			}
			rep, err := c.do(cmd, req)
			if err != nil {
				return err
			}
			if rep.Status != nil {
				return c.printStatus(rep.Status)
			}
			return c.simple(cmd, nil)
		},
	}
	cmd.Flags().BoolVarP(&temporary, "temporary", "t", false, "active configuration only: gone after a restart")
	cmd.Flags().StringVarP(&typ, "type", "T", "", "static or dhcp")
	cmd.Flags().StringVarP(&addr, "address", "a", "", "ADDR/PLEN of a static object")
	cmd.Flags().StringVarP(&wait, "wait", "w", "120", "seconds to wait for a DHCP lease, or forever")
	cmd.Flags().StringVarP(&host, "hostname", "h", "", "host name DHCP asks for (option 12)")
	cmd.Flags().BoolVar(&primary, "primary", false, "make the interface the primary one")
	cmd.Flags().Bool("help", false, "help for create-addr") // -h is the host name, as in ipadm
	return cmd
}

func (c *cli) deleteAddrCmd() *cobra.Command {
	var release bool
	cmd := &cobra.Command{
		Use:   "delete-addr [-r] IF/NAME",
		Short: "Delete an address object: a static address is removed, a DHCP lease dropped (or released with -r)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.simple(cmd, &ipc.Request{Command: ipc.CmdDeleteAddr,
				Args: map[string]string{ipc.ArgObject: args[0], ipc.ArgRelease: yes(release)}})
		},
	}
	cmd.Flags().BoolVarP(&release, "release", "r", false, "release the DHCP lease instead of dropping it")
	return cmd
}

func (c *cli) refreshAddrCmd() *cobra.Command {
	var inform bool
	cmd := &cobra.Command{
		Use:   "refresh-addr [-i] IF/NAME",
		Short: "Renew a DHCP object's lease; with -i, send INFORM for a static object",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := c.do(cmd, &ipc.Request{Command: ipc.CmdRefreshAddr,
				Args: map[string]string{ipc.ArgObject: args[0], ipc.ArgInform: yes(inform)}})
			if err != nil {
				return err
			}
			if rep.Status != nil {
				return c.printStatus(rep.Status)
			}
			return c.simple(cmd, nil)
		},
	}
	cmd.Flags().BoolVarP(&inform, "inform", "i", false, "send DHCPINFORM for a static address object")
	return cmd
}

func (c *cli) showAddrCmd() *cobra.Command {
	var f showFlags
	cmd := &cobra.Command{
		Use:   "show-addr [-p] [-o FIELDS|json] [IF/NAME|IF/]",
		Short: "Show address objects: ADDROBJ TYPE STATE CURRENT PERSISTENT ADDR",
		Long: "show-addr lists address objects. STATE is ok, tentative (being acquired or checked),\n" +
			"duplicate, down, or disabled (persistent only). CURRENT and PERSISTENT are U when the\n" +
			"object is in that configuration. ADDR is ? for a DHCP object not yet bound.",
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &ipc.Request{Command: ipc.CmdShowAddr, Args: map[string]string{}}
			if len(args) == 1 {
				req.Args[ipc.ArgObject] = args[0]
			}
			rep, err := c.do(cmd, req)
			if err != nil {
				return err
			}
			rows := make([][]string, 0, len(rep.Addresses))
			for _, a := range rep.Addresses {
				rows = append(rows, []string{a.Addrobj, a.Type, a.State, a.Current, a.Persistent, a.Addr})
			}
			list := rep.Addresses
			if list == nil {
				list = []ipc.AddrInfo{}
			}
			return c.print(f, ipadm.AddrFields, rows, list)
		},
	}
	f.add(cmd)
	return cmd
}
