package messages

import (
	"context"
	"testing"
	"time"
)

// TestPending: commands are numbered from 1 in the order added, found by
// number until taken, taken once, and all taken in order; Shutdown comes
// back with its command.
func TestPending(t *testing.T) {
	var p Pending
	if p.Has(1) || p.Command(1) != nil || p.Withdraw(1) {
		t.Fatal("the zero Pending holds a command")
	}
	if _, ok := p.Take(1); ok {
		t.Fatal("took from the zero Pending")
	}
	a, b, c := &Command{Req: Start{}}, &Command{Req: Extend{}}, &Command{Req: Drop{}}
	ids := []uint64{p.Add(a, false), p.Add(b, false), p.Add(c, true)}
	for i, want := range []uint64{1, 2, 3} {
		if ids[i] != want {
			t.Fatalf("numbers %v, want 1, 2, 3", ids)
		}
	}
	if !p.Has(2) || p.Command(2) != b {
		t.Fatal("command 2 not found")
	}
	got, ok := p.Take(2)
	if !ok || got.Cmd != b || got.ID != 2 || got.Shutdown {
		t.Fatalf("Take(2) = %+v, %v", got, ok)
	}
	if _, ok := p.Take(2); ok || p.Has(2) {
		t.Fatal("command 2 taken twice")
	}
	if b.Answered() {
		t.Fatal("Take settled the command: its owner answers it")
	}
	all := p.TakeAll()
	if len(all) != 2 || all[0].Cmd != a || all[1].Cmd != c || !all[1].Shutdown || all[0].Shutdown {
		t.Fatalf("TakeAll = %+v, want a then c (shutdown)", all)
	}
	if p.Has(1) || p.Has(3) || len(p.TakeAll()) != 0 {
		t.Fatal("TakeAll left commands behind")
	}
	if id := p.Add(&Command{Req: Ping{}}, false); id != 4 {
		t.Fatalf("number after 3 = %d, want 4 (numbers are never reused)", id)
	}
}

// TestPendingGone: a caller that stops waiting while its command is
// pending is reported once, with its number; Withdraw then settles the
// command unanswered. A command taken first is not reported.
func TestPendingGone(t *testing.T) {
	gone := make(chan uint64, 4)
	p := Pending{Gone: func(id uint64) { gone <- id }}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ch := make(chan *Result, 1)
	first := &Command{Req: Extend{}, Ctx: ctx1, Reply: ch}
	second := &Command{Req: Extend{}, Ctx: ctx2, Reply: ch}
	id1, id2 := p.Add(first, false), p.Add(second, false)
	p.Add(&Command{Req: Ping{}}, false) // no Ctx: never reported

	if _, ok := p.Take(id2); !ok {
		t.Fatal("command 2 not pending")
	}
	cancel2() // taken: no longer watched
	cancel1()
	select {
	case id := <-gone:
		if id != id1 {
			t.Fatalf("reported %d, want %d", id, id1)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the caller's going was not reported within 5 s")
	}
	if !p.Withdraw(id1) || !first.Answered() || first.Answer(OK()) || len(ch) != 0 {
		t.Fatal("a withdrawn command was not settled unanswered")
	}
	if p.Withdraw(id1) {
		t.Fatal("withdrawn twice")
	}
	select {
	case id := <-gone:
		t.Fatalf("reported %d as well: a taken command, or one without Ctx", id)
	default:
	}
}

// TestCommandTemporary: only a temporary start is temporary; nil is not.
func TestCommandTemporary(t *testing.T) {
	var none *Command
	for _, tc := range []struct {
		c    *Command
		want bool
	}{
		{none, false},
		{&Command{Req: Start{}}, false},
		{&Command{Req: Start{Temporary: true}}, true},
		{&Command{Req: CreateAddr{Temporary: true}}, false},
	} {
		if got := tc.c.Temporary(); got != tc.want {
			t.Errorf("%+v.Temporary() = %v, want %v", tc.c, got, tc.want)
		}
	}
}

// TestPendingCarry: a restart carries the first start over (not a second
// one, not the agent's stop, which is a drop), and takes every other
// command, in order, to be answered.
func TestPendingCarry(t *testing.T) {
	var p Pending
	ext, start, again, stop := &Command{Req: Extend{}}, &Command{Req: Start{}}, &Command{Req: Start{}},
		&Command{Req: Drop{}}
	p.Add(ext, false)
	p.Add(stop, true)
	p.Add(start, false)
	p.Add(again, false)
	carried, rest := p.Carry()
	if carried != start {
		t.Fatalf("carried %+v, want the first start", carried)
	}
	if len(rest) != 3 || rest[0].Cmd != ext || rest[1].Cmd != stop || rest[2].Cmd != again {
		t.Fatalf("rest %+v, want extend, the stop, the second start", rest)
	}
	if len(p.TakeAll()) != 0 {
		t.Fatal("Carry left commands pending")
	}
	p.Add(&Command{Req: Ping{}}, false)
	p.Add(&Command{Req: Version{}}, false) // no machine's command (its zero Op is OpStart's)
	if carried, rest := p.Carry(); carried != nil || len(rest) != 2 {
		t.Fatalf("Carry without a start = %v, %d to answer", carried, len(rest))
	}
}

// TestPendingNext: tables drawing from one counter (an actor's
// incarnations) never give a number twice, so an old table's number
// names no command of a new one; TakeAll keeps the order they came in.
func TestPendingNext(t *testing.T) {
	var n uint64
	next := func() uint64 { n += 7; return n }
	old := Pending{Next: next}
	first := old.Add(&Command{Req: Start{}}, false)
	old.TakeAll()
	cur := Pending{Next: next}
	a, b := &Command{Req: Start{}}, &Command{Req: Drop{}}
	ida, idb := cur.Add(a, false), cur.Add(b, false)
	if first != 7 || ida != 14 || idb != 21 {
		t.Fatalf("numbers %d, %d, %d, want 7, 14, 21 (from Next)", first, ida, idb)
	}
	if cur.Has(first) || cur.Withdraw(first) {
		t.Fatal("the old table's number names a command of the new one")
	}
	if all := cur.TakeAll(); len(all) != 2 || all[0].Cmd != a || all[1].Cmd != b {
		t.Fatalf("TakeAll = %+v, want a then b", all)
	}
}

// TestPendingLeft: Left names, in order, the pending commands whose
// callers have stopped waiting, and no longer those taken; a command
// without a Ctx, or whose caller waits, is not among them.
func TestPendingLeft(t *testing.T) {
	var p Pending
	waits, cancelWaits := context.WithCancel(context.Background())
	defer cancelWaits()
	goneA, leaveA := context.WithCancel(context.Background())
	goneB, leaveB := context.WithCancel(context.Background())
	leaveA()
	leaveB()
	b := p.Add(&Command{Req: Extend{}, Ctx: goneB}, false)
	p.Add(&Command{Req: Start{}}, false)
	p.Add(&Command{Req: Start{}, Ctx: waits}, false)
	a := p.Add(&Command{Req: Drop{}, Ctx: goneA}, false)
	if got := p.Left(); len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("Left = %v, want [%d %d]", got, b, a)
	}
	p.Take(b)
	if got := p.Left(); len(got) != 1 || got[0] != a {
		t.Fatalf("Left after Take(%d) = %v, want [%d]", b, got, a)
	}
	p.Withdraw(a)
	if got := p.Left(); len(got) != 0 {
		t.Fatalf("Left after Withdraw = %v, want none", got)
	}
}
