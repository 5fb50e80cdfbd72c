package messages

import (
	"context"
	"slices"
)

// Pending is an actor's table of the commands it has handed on to be
// answered by number (the interface actor's, to its lease machine: the
// number is the machine's Command.ID), from when each is handed on until
// it is answered or withdrawn. It watches each one's caller: a command
// whose Ctx is done while it is pending is reported through Gone, so
// that it can be withdrawn and no longer holds other commands up.
// Pending is its owner's alone (not safe for concurrent use); numbers
// start from 1 in each Pending unless Next numbers them. The zero Pending
// is empty, and reports nothing.
type Pending struct {
	// Gone is called with a command's number when its caller stops
	// waiting, on a goroutine of the context's: the owner posts it to
	// itself and withdraws the command if it is still pending (Has).
	Gone func(id uint64)
	// Next, if set, draws the numbers. An owner that outlives its table
	// (an actor restarted with a new one, a Gone of the old table's still
	// in its mailbox) draws them from a counter shared by its tables, so
	// that an old number never names a command of the new table.
	Next func() uint64

	last uint64
	cmds map[uint64]*pendingCmd
}

// pendingCmd is a command in the table.
type pendingCmd struct {
	Taken
	unwatch func() bool // stops watching its caller's context
}

// Taken is a command taken out of the table.
type Taken struct {
	ID  uint64
	Cmd *Command
	// Shutdown marks the command the owner made itself for the agent's
	// stop (Shutdown): the owner ends once it is answered.
	Shutdown bool
}

// Add numbers c, keeps it until it is taken or withdrawn, and watches its
// caller (Gone). shutdown marks the agent's stop (Taken.Shutdown).
func (p *Pending) Add(c *Command, shutdown bool) uint64 {
	var id uint64
	if p.Next != nil {
		id = p.Next()
	} else {
		p.last++
		id = p.last
	}
	e := &pendingCmd{Taken: Taken{ID: id, Cmd: c, Shutdown: shutdown}}
	if ctx, gone := c.Ctx, p.Gone; ctx != nil && gone != nil {
		e.unwatch = context.AfterFunc(ctx, func() { gone(id) })
	}
	if p.cmds == nil {
		p.cmds = make(map[uint64]*pendingCmd)
	}
	p.cmds[id] = e
	return id
}

// Has reports whether the command numbered id is pending.
func (p *Pending) Has(id uint64) bool { _, ok := p.cmds[id]; return ok }

// Left returns the numbers of the pending commands whose callers have
// stopped waiting (their Ctx is done), in the order they were added: an
// owner withdraws them before it hands on another command, so that one
// whose Gone report is still on its way makes no command PEND.
func (p *Pending) Left() []uint64 {
	var ids []uint64
	for id, e := range p.cmds {
		if ctx := e.Cmd.Ctx; ctx != nil && ctx.Err() != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Command returns the command numbered id, nil when none is pending.
func (p *Pending) Command(id uint64) *Command {
	if e := p.cmds[id]; e != nil {
		return e.Cmd
	}
	return nil
}

// Take removes the command numbered id, to be answered, and stops
// watching its caller; false when none is pending (withdrawn).
func (p *Pending) Take(id uint64) (Taken, bool) {
	e, ok := p.cmds[id]
	if !ok {
		return Taken{}, false
	}
	delete(p.cmds, id)
	if e.unwatch != nil {
		e.unwatch()
	}
	return e.Taken, true
}

// Withdraw removes the command numbered id and settles it unanswered
// (Command.Withdraw): its caller has gone. It reports whether one was
// pending.
func (p *Pending) Withdraw(id uint64) bool {
	t, ok := p.Take(id)
	if ok {
		t.Cmd.Withdraw()
	}
	return ok
}

// TakeAll removes every pending command, in the order they were added:
// the owner answers them as it stops.
func (p *Pending) TakeAll() []Taken {
	ids := make([]uint64, 0, len(p.cmds))
	for id := range p.cmds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]Taken, 0, len(ids))
	for _, id := range ids {
		t, _ := p.Take(id)
		out = append(out, t)
	}
	return out
}

// Carry takes every pending command, as TakeAll, but for the one a
// restart carries over to the owner's next incarnation: the first the
// machine retries (lease.Op.Retried: a start waiting to bind), not the
// agent's stop; nil when there is none. The rest are to be answered.
func (p *Pending) Carry() (carried *Command, rest []Taken) {
	for _, t := range p.TakeAll() {
		if op, ok := OpOf(t.Cmd.Req); ok && carried == nil && op.Retried() && !t.Shutdown {
			carried = t.Cmd
			continue
		}
		rest = append(rest, t)
	}
	return carried, rest
}
