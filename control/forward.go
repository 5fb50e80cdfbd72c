package control

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// This file carries requests from the IPC server's connection goroutines
// to the IPC actor and their results back; the translation between the
// wire and the typed messages is package messages' (FromWire, ToWire).

// wireRequest is a request as it came off the socket, for the IPC actor.
type wireRequest struct {
	caller ipc.Caller
	req    *ipc.Request
	reply  chan<- *messages.Result
	ctx    context.Context
}

// Submit hands req from caller to the IPC actor ipcPID and returns at
// once; its one result arrives on reply, which must have room for it (the
// actor never blocks on a caller). ctx is the caller's wait: once it is
// done the command is withdrawn where it still waits (nil: never). Forward
// is Submit and the wait; the actors' tests submit several requests in
// order and wait for them later.
func Submit(ctx context.Context, root *actor.RootContext, ipcPID *actor.PID, caller ipc.Caller, req *ipc.Request, reply chan<- *messages.Result) {
	root.Send(ipcPID, &wireRequest{caller: caller, req: req, reply: reply, ctx: ctx})
}

// Forward hands a request to the IPC actor and waits, on the calling
// connection's goroutine, for its result or for the request's wait to run
// out. A TIMEOUT leaves the transaction running; its late result is
// dropped. ctx ends with the server, or when the caller hangs up
// (ipc.Server): the command is then withdrawn where it still waits.
func Forward(ctx context.Context, root *actor.RootContext, ipcPID *actor.PID, c ipc.Caller, req *ipc.Request) *ipc.Reply {
	reply := make(chan *messages.Result, 1)
	// Done when this caller stops waiting: a command still waiting for
	// its transaction is then withdrawn, and no longer makes the next
	// command PEND (SPEC §3).
	waiting, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	Submit(waiting, root, ipcPID, c, req, reply)
	var expired <-chan time.Time
	if d, ok := req.Wait(); ok {
		t := time.NewTimer(d)
		defer t.Stop()
		expired = t.C
	}
	select {
	case r := <-reply:
		return messages.ToWire(req, r)
	case <-expired:
		if r := settled(ctx, root, ipcPID, c, req, reply); r != nil {
			return messages.ToWire(req, r)
		}
		return ipc.Fail(req, ipc.ErrTimeout, "%s on %s still in progress", req.Command, req.Ifname)
	case <-ctx.Done():
		return ipc.Fail(req, ipc.ErrShutdown, "agent stopping")
	}
}

// settled runs before a TIMEOUT is answered: "still in progress" promises
// that the command was taken, and that its interface's records say so (a
// `start --wait 0` answered before the interface was even recorded as
// managed was lost by a kill -9 right after). A ping of the same
// interface, queued behind the command on the same path (IPC actor,
// manager, interface actor; answers wait for the writes asked before
// them), is answered only once the command has been taken and recorded.
// Not a status: that is answered at once while the interface's lease
// record is read (package actors, persist.go), before the command is taken. It returns
// the command's own result when that came meanwhile.
func settled(ctx context.Context, root *actor.RootContext, ipcPID *actor.PID, c ipc.Caller, req *ipc.Request, reply <-chan *messages.Result) *messages.Result {
	if req.Ifname == "" {
		return nil
	}
	barrier := make(chan *messages.Result, 1)
	// The ping's caller stops waiting with settled: one held while the
	// record loads is then let go before a command is refused LIMIT
	// (messages.Command.Abandoned), not kept for the server's life.
	waiting, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	ping := &ipc.Request{Version: ipc.Version, ID: req.ID, Command: ipc.CmdPing, Ifname: req.Ifname}
	Submit(waiting, root, ipcPID, c, ping, barrier)
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
