package actors

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/netip"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// This file is the one boundary between the IPC wire format and the
// actors: a request's command name and argument map become a typed
// messages.Request, and a messages.Result becomes the ipc.Reply. Nothing
// past it reads "yes" strings or state names.

// wireRequest is a request as it came off the socket, for the IPC actor.
type wireRequest struct {
	caller ipc.Caller
	req    *ipc.Request
	reply  chan<- *messages.Result
	ctx    context.Context
}

// Forward hands a request to the IPC actor and waits, on the calling
// connection's goroutine, for its result or for the request's wait to run
// out. A TIMEOUT leaves the transaction running; its late result is
// dropped. ctx ends with the server.
func Forward(ctx context.Context, root *actor.RootContext, ipcPID *actor.PID, c ipc.Caller, req *ipc.Request) *ipc.Reply {
	reply := make(chan *messages.Result, 1)
	// Done when this caller stops waiting: a command still waiting for
	// its transaction is then withdrawn, and no longer makes the next
	// command PEND (SPEC §3).
	waiting, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	root.Send(ipcPID, &wireRequest{caller: c, req: req, reply: reply, ctx: waiting})
	var expired <-chan time.Time
	if d, ok := req.Wait(); ok {
		t := time.NewTimer(d)
		defer t.Stop()
		expired = t.C
	}
	select {
	case r := <-reply:
		return toWire(req, r)
	case <-expired:
		if r := settled(ctx, root, ipcPID, c, req, reply); r != nil {
			return toWire(req, r)
		}
		return ipc.Fail(req, ipc.ErrTimeout, "%s on %s still in progress", req.Command, req.Ifname)
	case <-ctx.Done():
		return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
	}
}

// settled runs before a TIMEOUT is answered: "still in progress" promises
// that the command was taken, and that its interface's records say so (a
// `start --wait 0` answered before the interface was even recorded as
// managed was lost by a kill -9 right after). A status of the same
// interface, queued behind the command on the same path (IPC actor,
// manager, interface actor; answers wait for the writes asked before
// them), is answered only once the command has been taken and recorded.
// It returns the command's own result when that came meanwhile.
func settled(ctx context.Context, root *actor.RootContext, ipcPID *actor.PID, c ipc.Caller, req *ipc.Request, reply <-chan *messages.Result) *messages.Result {
	if req.Ifname == "" {
		return nil
	}
	barrier := make(chan *messages.Result, 1)
	status := &ipc.Request{Version: ipc.Version, ID: req.ID, Command: ipc.CmdStatus, Ifname: req.Ifname}
	root.Send(ipcPID, &wireRequest{caller: c, req: status, reply: barrier, ctx: ctx})
	t := time.NewTimer(settleWait)
	defer t.Stop()
	select {
	case r := <-reply:
		return r
	case <-barrier:
	case <-t.C:
	case <-ctx.Done():
	}
	select {
	case r := <-reply:
		return r
	default:
		return nil
	}
}

// settleWait bounds settled: a taken command's records are written in
// milliseconds; a disk that hangs must not hold the caller for ever.
const settleWait = 5 * time.Second

// command is how a wire command is read: who may give it, and its typed
// request.
type command struct {
	privileged bool // root or the admin group only (SPEC §3)
	parse      func(args) (messages.Request, error)
}

// args are a request's arguments; a flag's one yes is "yes".
type args map[string]string

func (a args) flag(k string) bool { return a[k] == "yes" }

// commands are the requests the agent serves through the IPC actor
// (watch is served by the IPC server itself).
var commands = map[string]command{
	ipc.CmdStart: {true, func(a args) (messages.Request, error) {
		return messages.Start{Hostname: a[ipc.ArgHostname], Primary: a.flag(ipc.ArgPrimary),
			Temporary: a.flag(ipc.ArgTemporary)}, nil
	}},
	ipc.CmdDrop:    {true, fixed(messages.Drop{})},
	ipc.CmdRelease: {true, fixed(messages.Drop{Release: true})},
	ipc.CmdExtend:  {true, fixed(messages.Extend{})},
	ipc.CmdInform:  {true, inform},
	ipc.CmdStatus:  {false, fixed(messages.Status{})},
	ipc.CmdPing:    {false, fixed(messages.Ping{})},
	ipc.CmdInfo:    {false, func(a args) (messages.Request, error) { return messages.Info{Option: a[ipc.ArgOption]}, nil }},
	ipc.CmdVersion: {false, fixed(messages.Version{})},
	ipc.CmdPanic:   {true, fixed(messages.Panic{})},
	ipc.CmdStats:   {false, fixed(messages.Stats{})},

	ipc.CmdCreateIf: {true, func(a args) (messages.Request, error) {
		return messages.CreateIf{Families: a[ipc.ArgFamilies], Temporary: a.flag(ipc.ArgTemporary)}, nil
	}},
	ipc.CmdDeleteIf:  {true, func(a args) (messages.Request, error) { return messages.DeleteIf{Families: a[ipc.ArgFamilies]}, nil }},
	ipc.CmdEnableIf:  {true, fixed(messages.EnableIf{})},
	ipc.CmdDisableIf: {true, fixed(messages.DisableIf{})},
	ipc.CmdShowIf:    {false, fixed(messages.ShowIf{})},
	ipc.CmdCreateAddr: {true, func(a args) (messages.Request, error) {
		return messages.CreateAddr{Object: a[ipc.ArgObject], Type: a[ipc.ArgType], Address: a[ipc.ArgAddress],
			Hostname: a[ipc.ArgHostname], Primary: a.flag(ipc.ArgPrimary), Temporary: a.flag(ipc.ArgTemporary)}, nil
	}},
	ipc.CmdDeleteAddr: {true, func(a args) (messages.Request, error) {
		return messages.DeleteAddr{Object: a[ipc.ArgObject], Release: a.flag(ipc.ArgRelease)}, nil
	}},
	ipc.CmdRefreshAddr: {true, func(a args) (messages.Request, error) {
		return messages.RefreshAddr{Object: a[ipc.ArgObject], Inform: a.flag(ipc.ArgInform)}, nil
	}},
	ipc.CmdShowAddr: {false, func(a args) (messages.Request, error) { return messages.ShowAddr{Object: a[ipc.ArgObject]}, nil }},
}

func fixed(m messages.Request) func(args) (messages.Request, error) {
	return func(args) (messages.Request, error) { return m, nil }
}

// inform names the static address to ask about, or none: the interface's.
func inform(a args) (messages.Request, error) {
	s, ok := a[ipc.ArgAddress]
	if !ok {
		return messages.Inform{}, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, fmt.Errorf("address %q: want ADDR/PLEN", s)
	}
	return messages.Inform{Addr: p}, nil
}

// fromWire builds the typed command of a request whose command is known.
func fromWire(w *wireRequest, parse func(args) (messages.Request, error)) (*messages.Command, error) {
	m, err := parse(w.req.Args)
	if err != nil {
		return nil, err
	}
	wait, bounded := w.req.Wait()
	if !bounded {
		wait = messages.Forever
	}
	return &messages.Command{Ifname: w.req.Ifname, Req: m, Wait: wait, Ctx: w.ctx, Reply: w.reply}, nil
}

// toWire is r as the reply to req.
func toWire(req *ipc.Request, r *messages.Result) *ipc.Reply {
	out := &ipc.Reply{Version: ipc.Version, ID: req.ID, Error: r.Code, Message: r.Message,
		Values: r.Values}
	if r.Raw != nil {
		out.Raw = hex.EncodeToString(r.Raw)
	}
	if r.Status != nil {
		s := wireStatus(*r.Status)
		out.Status = &s
	}
	if r.Statuses != nil {
		out.Statuses = wireStatuses(r.Statuses)
	}
	for _, row := range r.Interfaces {
		out.Interfaces = append(out.Interfaces, ipc.IfInfo(row))
	}
	for _, row := range r.Addresses {
		out.Addresses = append(out.Addresses, ipc.AddrInfo(row))
	}
	return out
}

// wireStatuses are the statuses as status shows them.
func wireStatuses(ss []messages.IfStatus) []ipc.Status {
	out := make([]ipc.Status, 0, len(ss))
	for _, s := range ss {
		out = append(out, wireStatus(s))
	}
	return out
}

// wireStatus is s as status shows it (SPEC §3): the state's name, or
// FAILED, and the flags PRIMARY, BUSY, BOOTP, FAILED.
func wireStatus(s messages.IfStatus) ipc.Status {
	st := ipc.Status{
		Ifname:    s.Ifname,
		State:     s.StateName(),
		Flags:     []string{},
		Sent:      s.Counters.Sent,
		Received:  s.Counters.Received,
		BadOffers: s.Counters.BadOffers,
		Declined:  s.Counters.Declined,
		// V6ONLY holds no lease but has its instant (RFC 8925).
		V6OnlyUntil: wall(s.V6OnlyUntil),
		Warnings:    make([]ipc.Warning, 0, len(s.Warnings)),
		Refusals:    make([]ipc.Refusal, 0, len(s.Refusals)),
	}
	for _, w := range s.Warnings {
		st.Warnings = append(st.Warnings, ipc.Warning{Time: w.Time.Round(0).UTC(), Message: w.Message})
	}
	for _, r := range s.Refusals {
		st.Refusals = append(st.Refusals, ipc.Refusal{Time: r.At.Round(0).UTC(), Reason: r.Reason.String(), Detail: r.Detail})
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{s.Primary, "PRIMARY"}, {s.Busy, "BUSY"}, {s.BOOTP, "BOOTP"}, {s.Failed, "FAILED"}} {
		if f.on {
			st.Flags = append(st.Flags, f.name)
		}
	}
	if !s.Addr.IsValid() {
		return st
	}
	st.Address = s.Addr.Addr().String()
	st.Prefix = s.Addr.Bits()
	st.Server = s.Server.String()
	st.Began = wall(s.Began)
	st.T1, st.T2, st.Expires = wall(s.T1), wall(s.T2), wall(s.Expires)
	return st
}

// wall strips the monotonic reading for display; nil for the zero Time.
func wall(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	w := t.Round(0)
	return &w
}
