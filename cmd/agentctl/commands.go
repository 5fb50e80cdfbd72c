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

// How the lease verbs (table.go) check, send and print.

// checkStart refuses --primary with several interfaces: only one can be
// the primary.
func checkStart(x call) error {
	if len(x.args) > 1 && x.on("primary") {
		return fmt.Errorf("%w: %s (--primary takes one IF)", errUsage, x.cmd.UseLine())
	}
	return nil
}

// sendStart starts one interface, or several concurrently.
func sendStart(x call) error {
	if len(x.args) > 1 {
		return x.startMany(x.cmd, x.args, *x.req.WaitMs)
	}
	rep, err := x.do(x.cmd, x.req)
	if err != nil {
		return err
	}
	return x.printStatus(rep.Status)
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

// statusReply prints the one interface the command was about.
func statusReply(x call, rep *ipc.Reply) error {
	return x.printStatus(rep.Status)
}

// statusesReply prints status's answer: one interface, or every one.
func statusesReply(x call, rep *ipc.Reply) error {
	if x.req.Ifname != "" {
		if err := x.printStatus(rep.Status); err != nil {
			return err
		}
		if x.output != "json" && rep.Status != nil {
			x.printRefusals(rep.Status.Refusals)
		}
		return nil
	}
	return x.printStatuses(rep.Statuses)
}

func pingReply(x call, _ *ipc.Reply) error {
	if x.output == "json" {
		return json.NewEncoder(x.stdout).Encode(map[string]string{"result": "OK"})
	}
	fmt.Fprintln(x.stdout, "OK")
	return nil
}

// infoReply prints the option's values one a line, as dhcpinfo does, or
// its raw bytes in hex with -c; an absent option prints nothing. The
// values are the server's: what is not printable text is escaped
// (terminalText), so that nothing reaches the terminal as a control.
func infoReply(x call, rep *ipc.Reply) error {
	switch {
	case x.output == "json":
		return encodeTerminalJSON(x.stdout, map[string]any{"values": rep.Values, "raw": rep.Raw})
	case x.on("hex") && rep.Raw != "":
		fmt.Fprintln(x.stdout, terminalText(rep.Raw))
	case x.on("hex"):
	default:
		for _, val := range rep.Values {
			fmt.Fprintln(x.stdout, terminalText(val))
		}
	}
	return nil
}

// sendWatch prints every event the agent publishes until interrupted.
func sendWatch(x call) error {
	ctx, stop := signal.NotifyContext(x.cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	enc := json.NewEncoder(x.stdout)
	return x.client.Watch(ctx, &ipc.Request{}, func(ev *ipc.Event) error {
		if x.output == "json" {
			return enc.Encode(ev)
		}
		what := ev.From + " -> " + ev.State
		if ev.Kind == "event" {
			what = ev.Event + " (" + ev.State + ")"
		}
		if ev.Until != nil {
			what += " until " + ev.Until.Local().Format("15:04:05") // V6ONLY (RFC 8925)
		}
		_, err := fmt.Fprintf(x.stdout, "%s %-10s %-6s %-30s %s sent=%d recv=%d declined=%d\n",
			ev.Time.Local().Format("15:04:05.000"), ev.Ifname, ev.Kind, what, ev.Address,
			ev.Sent, ev.Received, ev.Declined)
		return err
	})
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
