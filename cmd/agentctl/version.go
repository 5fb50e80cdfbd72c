package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/version"
	"github.com/spf13/cobra"
)

// versionWait bounds the wait for the agent's answer: version is answered
// at once by the IPC actor.
const versionWait = 5 * time.Second

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show agentctl's version and the running agent's",
		Long: "version prints agentctl's own version, then asks the agent for its version.\n" +
			"When the agent is not running, agentctl's version is still printed and the\n" +
			"exit status is that of NOTRUNNING (2).",
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), versionWait)
			defer cancel()
			ms := versionWait.Milliseconds()
			rep, err := c.client.Do(ctx, &ipc.Request{Command: ipc.CmdVersion, WaitMs: &ms})
			agentVersion := ""
			if err == nil {
				agentVersion = rep.Message
			}
			if c.output == "json" {
				v := map[string]string{"agentctl": version.String()}
				if err == nil {
					v["agent"] = agentVersion
				}
				if jerr := json.NewEncoder(c.stdout).Encode(v); jerr != nil {
					return jerr
				}
				return err
			}
			fmt.Fprintf(c.stdout, "agentctl %s\n", version.String())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "agent    %s\n", agentVersion)
			return nil
		},
	}
}
