// Command agentctl controls the DHCP agent through its socket, in the manner
// of illumos `ifconfig IF dhcp VERB`.
//
// Every verb is a row of the table in table.go (its request, operands,
// flags and printer); verbs.go builds the cobra commands from the table,
// so that all verbs parse, check and send alike.
//
// Exit status: 0 on success, 1 for a usage error, 2 when the agent is not
// running, and 10 or more for an error reply, one status per error code
// (see `agentctl help exit-codes` and docs/agentctl.md).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/spf13/cobra"
)

// Exit statuses that are not error codes of a reply.
const (
	exitUsage      = 1
	exitNotRunning = 2
)

// cli is the state shared by agentctl's commands.
type cli struct {
	client ipc.Client
	output string
	stdout io.Writer
	stderr io.Writer
}

func main() {
	c := &cli{stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(c.run(os.Args[1:]))
}

func (c *cli) run(args []string) int {
	root := c.root()
	root.SetArgs(args)
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return 0
	}
	var ipcErr *ipc.Error
	switch {
	case errors.As(err, &ipcErr):
		c.fail(string(ipcErr.Code), ipcErr.Message)
		return ipcErr.Code.ExitStatus()
	case errors.Is(err, ipc.ErrNotRunning):
		c.fail("NOTRUNNING", err.Error())
		return exitNotRunning
	case errors.Is(err, errUsage):
		fmt.Fprintf(c.stderr, "agentctl: %v\n", err)
		return exitUsage
	default:
		c.fail(string(ipc.ErrInternal), err.Error())
		return ipc.ErrInternal.ExitStatus()
	}
}

// fail reports an error as text, or as {"error", "message"} with -o json.
func (c *cli) fail(code, msg string) {
	if c.output == "json" {
		_ = json.NewEncoder(c.stdout).Encode(map[string]string{"error": code, "message": msg})
	}
	fmt.Fprintf(c.stderr, "agentctl: %s: %s\n", code, msg)
}

var errUsage = errors.New("usage")

func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "agentctl",
		Short:         "Control the DHCP client agent",
		Long:          "agentctl sends commands to the DHCP client agent over its control socket.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if c.output != "" && c.output != "json" && cmd.Annotations[fieldsAnnotation] == "" {
				return fmt.Errorf("%w: -o takes json, not %q", errUsage, c.output)
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v", errUsage, err)
	})
	root.PersistentFlags().StringVar(&c.client.Socket, "socket", "/run/dhcpagent/agent.sock", "the agent's control socket")
	root.PersistentFlags().StringVarP(&c.output, "output", "o", "", "output format: json (show-if and show-addr: or the fields to print)")
	for _, vb := range verbs {
		root.AddCommand(c.command(vb))
	}
	root.AddCommand(c.manCmd(), exitCodesHelp())
	return root
}

func exitCodesHelp() *cobra.Command {
	text := "Exit statuses:\n  0   success\n  1   usage error\n  2   the agent is not running\n"
	for _, code := range ipc.Codes {
		text += fmt.Sprintf("  %-3d %s\n", code.ExitStatus(), code)
	}
	return &cobra.Command{Use: "exit-codes", Short: "Exit statuses of agentctl", Long: text}
}
