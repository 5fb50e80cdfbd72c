package messages

import (
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// TestAnswerFirstWins: a command has exactly one answer, the first; later
// answers and answers after Withdraw are dropped, and none blocks.
func TestAnswerFirstWins(t *testing.T) {
	ch := make(chan *Result, 1)
	c := &Command{Req: Ping{}, Reply: ch}
	if c.Answered() {
		t.Fatal("answered before any answer")
	}
	if !c.Answer(OK()) {
		t.Fatal("the first answer was refused")
	}
	if c.Answer(Fail(ipc.ErrFailedIf, "late")) {
		t.Fatal("a second answer was taken")
	}
	if n := len(ch); n != 1 {
		t.Fatalf("%d answers delivered, want 1", n)
	}
	if r := <-ch; r.Failed() {
		t.Fatalf("answer %+v, want the first (OK)", r)
	}

	w := &Command{Req: Extend{}, Reply: ch}
	w.Withdraw()
	if w.Answer(OK()) || !w.Answered() {
		t.Fatal("a withdrawn command was answered")
	}
	if len(ch) != 0 {
		t.Fatal("a withdrawn command's answer was delivered")
	}
}

// TestAnswerNil: a nil command (the agent's own work: nobody waits)
// takes an answer without a panic and reports that none was delivered.
func TestAnswerNil(t *testing.T) {
	var c *Command
	if c.Answer(OK()) {
		t.Fatal("a nil command reported an answer delivered")
	}
}

func TestFail(t *testing.T) {
	r := Fail(ipc.ErrPend, "%s busy", "eth0")
	if !r.Failed() || r.Code != ipc.ErrPend || r.Message != "eth0 busy" {
		t.Fatalf("Fail = %+v", r)
	}
	if OK().Failed() {
		t.Fatal("OK failed")
	}
}
