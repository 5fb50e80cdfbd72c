package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dhcpagent/dhcpagent/ipc"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manCmd writes agentctl(8) and a page per command (agentctl-start(8),
// ...) from the commands' own help, so the pages never drift from
// `agentctl --help`. Hidden: `make man` runs it.
func (c *cli) manCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "gen-man DIR",
		Short:  "Write the man pages into DIR",
		Hidden: true,
		Args:   exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			// A fixed date (SOURCE_DATE_EPOCH when set) keeps the pages
			// reproducible.
			date := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
				var sec int64
				if _, err := fmt.Sscan(s, &sec); err == nil {
					date = time.Unix(sec, 0).UTC()
				}
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			hdr := &doc.GenManHeader{Title: "AGENTCTL", Section: "8", Source: "dhcpagent",
				Manual: "System Administration", Date: &date}
			if err := doc.GenManTree(root, hdr, args[0]); err != nil {
				return err
			}
			return addSections(filepath.Join(args[0], "agentctl.8"))
		},
	}
}

// addSections adds to agentctl(8) what cobra does not generate: exit
// statuses (from the error codes themselves), files and examples, before
// SEE ALSO.
func addSections(page string) error {
	b, err := os.ReadFile(page)
	if err != nil {
		return err
	}
	var extra strings.Builder
	extra.WriteString(".SH EXIT STATUS\n.TP\n0\nSuccess.\n.TP\n1\nUsage error.\n.TP\n2\nThe agent is not running.\n")
	for _, code := range ipc.Codes {
		fmt.Fprintf(&extra, ".TP\n%d\n%s\n", code.ExitStatus(), code)
	}
	extra.WriteString(`.SH FILES
.TP
/run/dhcpagent/agent.sock
The agent's control socket.
.SH EXAMPLES
.nf
agentctl start eth0
agentctl status
agentctl \-o json status eth0
agentctl info \-i eth0 router
agentctl release eth0
.fi
.SH NOTES
Commands that change something need root or the agent's ADMIN_GROUP;
status, ping, info, watch, version, show\-if and show\-addr do not.
See
.BR dhcpagent (8)
and
.BR dhcpagent.conf (5).
`)
	text := string(b)
	i := strings.LastIndex(text, ".SH SEE ALSO")
	if i < 0 {
		return fmt.Errorf("%s: no SEE ALSO section", page)
	}
	text = text[:i] + extra.String() + "\n" + text[i:]
	return os.WriteFile(page, []byte(text), 0o644)
}
