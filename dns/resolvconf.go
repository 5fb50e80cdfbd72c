package dns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// execTimeout bounds one run of resolvconf(8). outputWait bounds how long
// its output is read once it has exited (or been killed): a process its
// update scripts (/etc/resolvconf/update.d) leave behind may hold the
// output open for as long as it runs, and with it the DNS worker.
const (
	execTimeout = 10 * time.Second
	outputWait  = 2 * time.Second
)

// Resolvconf hands each interface's DNS to resolvconf(8) as the record
// IF.dhcp, as dhcpcd and ifupdown do (DNS=resolvconf).
type Resolvconf struct {
	// Command is the program, "resolvconf" (looked up in PATH) when empty.
	Command string
}

func (r *Resolvconf) command() string {
	if r.Command == "" {
		return "resolvconf"
	}
	return r.Command
}

// Set runs `resolvconf -a IF.dhcp` with l's nameserver and search lines.
func (r *Resolvconf) Set(_ []Link, l Link) error {
	var b bytes.Buffer
	for _, a := range l.Servers {
		fmt.Fprintf(&b, "nameserver %s\n", a)
	}
	if len(l.Domains) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(l.Domains, " "))
	}
	return r.run(&b, "-a", l.Name+".dhcp")
}

// Revert runs `resolvconf -d IF.dhcp`.
func (r *Resolvconf) Revert(_ []Link, l Link) error {
	return r.run(nil, "-d", l.Name+".dhcp")
}

func (r *Resolvconf) run(stdin *bytes.Buffer, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.command(), args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.WaitDelay = outputWait
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // resolvconf succeeded; what it left behind kept the output open
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", r.command(), strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}
