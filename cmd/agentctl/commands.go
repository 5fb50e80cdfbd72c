package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/spf13/cobra"
)

func (c *cli) startCmd() *cobra.Command {
	var wait string
	cmd := &cobra.Command{
		Use:   "start IF",
		Short: "Start DHCP on IF; reply when bound or when the wait runs out",
		Long: "start puts IF under DHCP control and acquires a lease. It answers when the\n" +
			"interface is bound, or with TIMEOUT when --wait runs out; acquisition goes on.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := parseWait(wait)
			if err != nil {
				return err
			}
			rep, err := c.do(cmd, &ipc.Request{Command: ipc.CmdStart, Ifname: args[0], WaitMs: &ms})
			if err != nil {
				return err
			}
			return c.printStatus(rep.Status)
		},
	}
	cmd.Flags().StringVarP(&wait, "wait", "w", "120", "seconds to wait for the lease, or forever")
	return cmd
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
