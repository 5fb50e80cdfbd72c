package messages

import (
	"fmt"
	"net/netip"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// This file and reply.go are the one boundary between the IPC wire format
// and the actors: a request's command name and argument map become a typed
// Request here, and a Result becomes the ipc.Reply in reply.go. Nothing
// past them reads "yes" strings or state names.

// FromWire reads req into its typed command: Ifname, Req and Wait; the
// caller adds Ctx and Reply. When the request cannot be taken it returns
// instead the failure to answer, in the order illumos checks: an unknown
// command (watch is the IPC server's own) or bad arguments are INVALID, a
// privileged command from a caller who is not privileged is PERM (SPEC
// §3).
func FromWire(req *ipc.Request, privileged bool) (*Command, *Result) {
	w, known := wireCommands[req.Command]
	switch {
	case !known:
		return nil, Fail(ipc.ErrInvalid, "unknown command %q", req.Command)
	case w.privileged && !privileged:
		return nil, Fail(ipc.ErrPerm, "%s needs root or the admin group", req.Command)
	}
	m, err := w.parse(req.Args)
	if err != nil {
		return nil, Fail(ipc.ErrInvalid, "%s: %v", req.Command, err)
	}
	wait, bounded := req.Wait()
	if !bounded {
		wait = Forever
	}
	return &Command{Ifname: req.Ifname, Req: m, Wait: wait}, nil
}

// wireCommand is how a wire command is read: who may give it, and its
// typed request.
type wireCommand struct {
	privileged bool // root or the admin group only (SPEC §3)
	parse      func(args) (Request, error)
}

// args are a request's arguments; a flag's one yes is "yes".
type args map[string]string

func (a args) flag(k string) bool { return a[k] == "yes" }

// wireCommands are the requests the agent serves through the IPC actor
// (watch is served by the IPC server itself).
var wireCommands = map[string]wireCommand{
	ipc.CmdStart: {true, func(a args) (Request, error) {
		return Start{Hostname: a[ipc.ArgHostname], Primary: a.flag(ipc.ArgPrimary),
			Temporary: a.flag(ipc.ArgTemporary)}, nil
	}},
	ipc.CmdDrop:    {true, fixed(Drop{})},
	ipc.CmdRelease: {true, fixed(Drop{Release: true})},
	ipc.CmdExtend:  {true, fixed(Extend{})},
	ipc.CmdInform:  {true, inform},
	ipc.CmdStatus:  {false, fixed(Status{})},
	ipc.CmdPing:    {false, fixed(Ping{})},
	ipc.CmdInfo:    {false, func(a args) (Request, error) { return Info{Option: a[ipc.ArgOption]}, nil }},
	ipc.CmdVersion: {false, fixed(Version{})},
	ipc.CmdPanic:   {true, fixed(Panic{})},
	ipc.CmdStats:   {false, fixed(Stats{})},

	ipc.CmdCreateIf: {true, func(a args) (Request, error) {
		return CreateIf{Families: a[ipc.ArgFamilies], Temporary: a.flag(ipc.ArgTemporary)}, nil
	}},
	ipc.CmdDeleteIf:  {true, func(a args) (Request, error) { return DeleteIf{Families: a[ipc.ArgFamilies]}, nil }},
	ipc.CmdEnableIf:  {true, fixed(EnableIf{})},
	ipc.CmdDisableIf: {true, fixed(DisableIf{})},
	ipc.CmdShowIf:    {false, fixed(ShowIf{})},
	ipc.CmdCreateAddr: {true, func(a args) (Request, error) {
		return CreateAddr{Object: a[ipc.ArgObject], Type: a[ipc.ArgType], Address: a[ipc.ArgAddress],
			Hostname: a[ipc.ArgHostname], Primary: a.flag(ipc.ArgPrimary), Temporary: a.flag(ipc.ArgTemporary)}, nil
	}},
	ipc.CmdDeleteAddr: {true, func(a args) (Request, error) {
		return DeleteAddr{Object: a[ipc.ArgObject], Release: a.flag(ipc.ArgRelease)}, nil
	}},
	ipc.CmdRefreshAddr: {true, func(a args) (Request, error) {
		return RefreshAddr{Object: a[ipc.ArgObject], Inform: a.flag(ipc.ArgInform)}, nil
	}},
	ipc.CmdShowAddr: {false, func(a args) (Request, error) { return ShowAddr{Object: a[ipc.ArgObject]}, nil }},
}

func fixed(m Request) func(args) (Request, error) {
	return func(args) (Request, error) { return m, nil }
}

// inform names the static address to ask about, or none: the interface's.
func inform(a args) (Request, error) {
	s, ok := a[ipc.ArgAddress]
	if !ok {
		return Inform{}, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, fmt.Errorf("address %q: want ADDR/PLEN", s)
	}
	return Inform{Addr: p}, nil
}
