package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dhcpagent/dhcpagent/version"
)

// versionWait bounds the wait for the agent's answer: version is answered
// at once by the IPC actor.
const versionWait = 5 * time.Second

// sendVersion prints agentctl's version, then asks the agent for its own.
func sendVersion(x call) error {
	ctx, cancel := context.WithTimeout(x.cmd.Context(), versionWait)
	defer cancel()
	ms := versionWait.Milliseconds()
	x.req.WaitMs = &ms
	rep, err := x.client.Do(ctx, x.req)
	agentVersion := ""
	if err == nil {
		agentVersion = rep.Message
	}
	if x.output == "json" {
		v := map[string]string{"agentctl": version.String()}
		if err == nil {
			v["agent"] = agentVersion
		}
		if jerr := json.NewEncoder(x.stdout).Encode(v); jerr != nil {
			return jerr
		}
		return err
	}
	fmt.Fprintf(x.stdout, "agentctl %s\n", version.String())
	if err != nil {
		return err
	}
	fmt.Fprintf(x.stdout, "agent    %s\n", agentVersion)
	return nil
}
