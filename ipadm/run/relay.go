package run

import (
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// relayGrace lets the manager's own answer to a wait that ran out (TIMEOUT
// from the interface) arrive before the relay gives up; relayMaxWait bounds
// a relay whose caller waits forever.
const (
	relayGrace   = 5 * time.Second
	relayMaxWait = 24 * time.Hour
)

// send sends the manager req for s's interface; with s.Answers the
// command carries c's wait and context.
func (x *Runner) send(s ipadm.Step, c *messages.Command, req messages.Request) <-chan *messages.Result {
	fwd := &messages.Command{Ifname: s.Addr.Ifname, Req: req}
	if s.Answers && c != nil {
		fwd.Ctx, fwd.Wait = c.Ctx, c.Wait
	}
	return x.ask(fwd)
}

// ask sends c to the manager and returns the channel its result comes on,
// buffered: nobody has to read it.
func (x *Runner) ask(c *messages.Command) <-chan *messages.Result {
	res := make(chan *messages.Result, 1)
	c.Reply = res
	x.Manager(c)
	return res
}

// deadline is a channel that fires after d, and its stop.
func (x *Runner) deadline(d time.Duration) (<-chan time.Time, func()) {
	if x.Deadline != nil {
		return x.Deadline(d)
	}
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// relay passes the manager's result for ifname on to c. The code ok counts
// as success: the interface is as the object wants it (already running, or
// not managed any more), and the result carries the interface's status as
// a success would. The wait is bounded by c's: the manager answers every
// command it routes, but a waiter never outlives its caller's patience,
// nor its caller: the command goes on with c's context, and what nobody
// waits for is let go unanswered where it waits (messages.Inflight), so
// the relay ends with it.
func (x *Runner) relay(c *messages.Command, ifname string, res <-chan *messages.Result, ok ipc.Code) {
	wait := c.Wait
	if wait < 0 {
		wait = relayMaxWait
	}
	expired, stop := x.deadline(wait + relayGrace)
	defer stop()
	var gone <-chan struct{}
	if c.Ctx != nil {
		gone = c.Ctx.Done()
	}
	select {
	case <-gone:
		c.Answer(messages.Fail(ipc.ErrTimeout, "%s: the caller stopped waiting", ifname))
	case r := <-res:
		if r.Code == ok {
			r = x.statusOf(ifname, expired)
		}
		c.Answer(r)
	case <-expired:
		c.Answer(messages.Fail(ipc.ErrTimeout, "%s: still in progress", ifname))
	}
}

// statusOf is a success with ifname's status, asked of the manager, or
// without one when the interface is not managed (or does not answer
// before expired).
func (x *Runner) statusOf(ifname string, expired <-chan time.Time) *messages.Result {
	select {
	case r := <-x.ask(&messages.Command{Ifname: ifname, Req: messages.Status{}}):
		if !r.Failed() {
			return r
		}
	case <-expired:
	}
	return messages.OK()
}

// afterDrops answers c once the DHCP drops its plan sent are done: an OK
// from disable-if or delete-if means the addresses are gone, and nothing
// the drops overtook can bring them back. The manager answers every
// command it routes; the deadline covers a drop's hook (55 s and 3 s to
// its SIGKILL) and more.
func (x *Runner) afterDrops(c *messages.Command, drops []<-chan *messages.Result) {
	if c == nil {
		return
	}
	expired, stop := x.deadline(x.DropWait + relayGrace)
	defer stop()
	for _, d := range drops {
		select {
		case <-d:
		case <-expired:
			c.Answer(messages.Fail(ipc.ErrTimeout, "%s: the drop is still in progress", c.Ifname))
			return
		}
	}
	c.Answer(messages.OK())
}
