package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/spf13/cobra"
)

func (c *cli) startCmd() *cobra.Command {
	var (
		wait    string
		primary bool
	)
	cmd := &cobra.Command{
		Use:   "start IF [IF...]",
		Short: "Start DHCP on each IF; reply when bound or when the wait runs out",
		Long: "start puts IF under DHCP control and acquires a lease. It answers when the\n" +
			"interface is bound, or with TIMEOUT when --wait runs out; acquisition goes on.\n" +
			"Several interfaces are started together; the exit status is that of the first\n" +
			"one that failed.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || primary && len(args) > 1 {
				return fmt.Errorf("%w: %s (--primary takes one IF)", errUsage, cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := parseWait(wait)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				req := &ipc.Request{Command: ipc.CmdStart, Ifname: args[0], WaitMs: &ms}
				if primary {
					req.Args = map[string]string{ipc.ArgPrimary: "yes"}
				}
				rep, err := c.do(cmd, req)
				if err != nil {
					return err
				}
				return c.printStatus(rep.Status)
			}
			return c.startMany(cmd, args, ms)
		},
	}
	cmd.Flags().StringVarP(&wait, "wait", "w", "120", "seconds to wait for the lease, or forever")
	cmd.Flags().BoolVar(&primary, "primary", false, "make IF the primary interface (an empty IF then means it)")
	return cmd
}

// startMany starts interfaces concurrently, a bounded number at a time,
// prints the statuses of those that answered and returns the first error.
func (c *cli) startMany(cmd *cobra.Command, names []string, ms int64) error {
	const inFlight = 64
	reps := make([]*ipc.Reply, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			reps[i], errs[i] = c.do(cmd, &ipc.Request{Command: ipc.CmdStart, Ifname: name, WaitMs: &ms})
		}()
	}
	wg.Wait()
	var statuses []ipc.Status
	for i, r := range reps {
		if errs[i] == nil && r != nil && r.Status != nil {
			statuses = append(statuses, *r.Status)
		}
	}
	if err := c.printStatuses(statuses); err != nil {
		return err
	}
	for i, err := range errs {
		if err != nil {
			fmt.Fprintf(c.stderr, "agentctl: start %s: %v\n", names[i], err)
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *cli) pingCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "ping [IF]",
		Short: "Check that the agent manages IF (the primary interface without IF)",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &ipc.Request{Command: ipc.CmdPing}
			if len(args) == 1 {
				req.Ifname = args[0]
			}
			if _, err := c.do(cmd, req); err != nil {
				return err
			}
			if c.output == "json" {
				return json.NewEncoder(c.stdout).Encode(map[string]string{"result": "OK"})
			}
			fmt.Fprintln(c.stdout, "OK")
			return nil
		},
	}
}

func (c *cli) infoCmd() *cobra.Command {
	var (
		ifname string
		hexOut bool
	)
	cmd := &cobra.Command{
		Use:   "info [-i IF] [-c] CODE|NAME",
		Short: "Print an option of the lease, one value per line, like dhcpinfo",
		Long: "info prints an option from the latest ACK of IF's lease, or from its first ACK.\n" +
			"The option is a code (1-254), a name (subnet-mask, router, dns, domain, hostname,\n" +
			"lease-time, server-id, t1, t2, mtu, ntp, broadcast, domain-search, classless-routes,\n" +
			"vendor, class-id, message, bootfile, tftp-server, fqdn, v6only), vendor:N for\n" +
			"sub-option N of option 43, or field:OFFSET:LEN for bytes of the packet.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := c.do(cmd, &ipc.Request{Command: ipc.CmdInfo, Ifname: ifname,
				Args: map[string]string{ipc.ArgOption: args[0]}})
			if err != nil {
				return err
			}
			switch {
			case c.output == "json":
				return json.NewEncoder(c.stdout).Encode(map[string]any{"values": rep.Values, "raw": rep.Raw})
			case hexOut && rep.Raw != "": // an absent option prints nothing, as dhcpinfo
				fmt.Fprintln(c.stdout, rep.Raw)
			case hexOut:
			default:
				for _, v := range rep.Values {
					fmt.Fprintln(c.stdout, v)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&ifname, "interface", "i", "", "interface (default: the primary)")
	cmd.Flags().BoolVarP(&hexOut, "hex", "c", false, "print the raw value in hex")
	return cmd
}

func (c *cli) watchCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "watch",
		Short: "Print state changes and events of every interface until interrupted",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			enc := json.NewEncoder(c.stdout)
			return c.client.Watch(ctx, &ipc.Request{}, func(ev *ipc.Event) error {
				if c.output == "json" {
					return enc.Encode(ev)
				}
				what := ev.From + " -> " + ev.State
				if ev.Kind == "event" {
					what = ev.Event + " (" + ev.State + ")"
				}
				_, err := fmt.Fprintf(c.stdout, "%s %-10s %-6s %-30s %s sent=%d recv=%d declined=%d\n",
					ev.Time.Local().Format("15:04:05.000"), ev.Ifname, ev.Kind, what, ev.Address,
					ev.Sent, ev.Received, ev.Declined)
				return err
			})
		},
	}
}

func (c *cli) statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status [IF]",
		Short: "Show the state of one managed interface, or of all",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := &ipc.Request{Command: ipc.CmdStatus}
			if len(args) == 1 {
				req.Ifname = args[0]
			}
			rep, err := c.do(cmd, req)
			if err != nil {
				return err
			}
			if req.Ifname != "" {
				return c.printStatus(rep.Status)
			}
			return c.printStatuses(rep.Statuses)
		},
	}
}

func (c *cli) dropCmd() *cobra.Command {
	return c.ifCmd(ipc.CmdDrop, "Stop managing IF and remove its address; the server keeps the lease")
}

func (c *cli) releaseCmd() *cobra.Command {
	return c.ifCmd(ipc.CmdRelease, "Give IF's lease back to the server and remove its address")
}

func (c *cli) extendCmd() *cobra.Command {
	return c.ifCmd(ipc.CmdExtend, "Renew IF's lease now; answer after the server's ACK")
}

func (c *cli) informCmd() *cobra.Command {
	return c.ifCmd(ipc.CmdInform, "Ask for configuration for IF's static address (DHCPINFORM)")
}

// ifCmd is a command that takes one interface and prints its status.
func (c *cli) ifCmd(command, short string) *cobra.Command {
	return &cobra.Command{
		Use:   command + " IF",
		Short: short,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := c.do(cmd, &ipc.Request{Command: command, Ifname: args[0]})
			if err != nil {
				return err
			}
			return c.printStatus(rep.Status)
		},
	}
}

func (c *cli) do(cmd *cobra.Command, req *ipc.Request) (*ipc.Reply, error) {
	return c.client.Do(cmd.Context(), req)
}

// parseWait turns --wait into wait_ms: seconds, or forever (-1).
func parseWait(s string) (int64, error) {
	if s == "forever" {
		return -1, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: --wait takes seconds or forever, not %q", errUsage, s)
	}
	return int64(time.Duration(n) * time.Second / time.Millisecond), nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%w: %s", errUsage, cmd.UseLine())
		}
		return nil
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return fmt.Errorf("%w: %s", errUsage, cmd.UseLine())
		}
		return nil
	}
}
