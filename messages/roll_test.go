package messages

import (
	"slices"
	"testing"
	"time"
)

// TestRoll: each asked actor counts once, by its answer or its stop; a
// second report of one, or the stop of one that answered, never stands
// for another's missing answer; a stop of an actor not asked counts for
// nothing; a stopped actor's answer left on its channel is collected.
func TestRoll(t *testing.T) {
	type report struct {
		answer string // actor that answers ("" none)
		gone   string // actor reported stopped ("" none)
	}
	for _, tc := range []struct {
		name    string
		reports []report
		want    []int // answers, sorted; none when not all came
		all     bool
	}{
		{"both answer", []report{{answer: "a"}, {answer: "b"}}, []int{1, 2}, true},
		{"one stops unanswered", []report{{answer: "a"}, {gone: "b"}}, []int{1}, true},
		{"both stop", []report{{gone: "a"}, {gone: "b"}}, nil, true},
		{"one stops twice", []report{{gone: "a"}, {gone: "a"}}, nil, false},
		{"one answers and stops", []report{{answer: "a"}, {gone: "a"}}, nil, false},
		{"a stranger stops", []report{{answer: "a"}, {gone: "z"}}, nil, false},
		{"stopped after its answer was sent", []report{{answer: "b"}, {gone: "b"}, {gone: "a"}}, []int{2}, true},
		{"none", nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Roll[int]
			replies := map[string]chan<- int{"a": r.Ask("a"), "b": r.Ask("b")}
			values := map[string]int{"a": 1, "b": 2}
			for _, rep := range tc.reports {
				if rep.answer != "" {
					replies[rep.answer] <- values[rep.answer] // room for it: never blocks
				}
				if rep.gone != "" {
					r.Stopped(rep.gone)
				}
			}
			d := time.Hour
			if !tc.all {
				d = 10 * time.Millisecond // it must run out: an actor owes its answer
			}
			got, all := r.Wait(d)
			slices.Sort(got)
			if all != tc.all || !slices.Equal(got, tc.want) {
				t.Fatalf("Wait = %v, %v; want %v, %v", got, all, tc.want, tc.all)
			}
		})
	}
}

// TestRollNone: a roll that asked no one has all its answers at once, and
// a stop reported to it counts for nothing.
func TestRollNone(t *testing.T) {
	var r Roll[int]
	r.Stopped("a")
	if got, all := r.Wait(0); !all || got == nil || len(got) != 0 {
		t.Fatalf("Wait of none = %#v, %v; want empty, true", got, all)
	}
}

// TestRollWhileWaiting: answers and stops that come while Wait waits, on
// the asker's goroutine, end it once every actor has answered or stopped.
func TestRollWhileWaiting(t *testing.T) {
	var r Roll[string]
	a, _, c := r.Ask("a"), r.Ask("b"), r.Ask("c")
	type result struct {
		got []string
		all bool
	}
	done := make(chan result)
	go func() {
		got, all := r.Wait(time.Hour)
		done <- result{got, all}
	}()
	c <- "c"
	r.Stopped("b")
	r.Stopped("b")
	a <- "a"
	res := <-done
	slices.Sort(res.got)
	if !res.all || !slices.Equal(res.got, []string{"a", "c"}) {
		t.Fatalf("Wait = %v, %v; want [a c], true", res.got, res.all)
	}
	r.Stopped("a") // after the wait: nothing waits for it, nothing blocks
}

// TestRollsIndependent: two questions asked of one actor at once (two
// shutdowns) are answered each on its own: its answer to one is no answer
// to the other, which only its stop settles.
func TestRollsIndependent(t *testing.T) {
	var first, second Roll[int]
	first.Ask("a") <- 1
	second.Ask("a")
	if got, all := second.Wait(10 * time.Millisecond); all || len(got) != 0 {
		t.Fatalf("second Wait, answered on the first = %v, %v; want nothing, false", got, all)
	}
	if got, all := first.Wait(time.Hour); !all || !slices.Equal(got, []int{1}) {
		t.Fatalf("first Wait = %v, %v; want [1], true", got, all)
	}
	first.Stopped("a")
	second.Stopped("a")
	if got, all := second.Wait(time.Hour); !all || len(got) != 0 {
		t.Fatalf("second Wait once a stopped = %v, %v; want nothing, true", got, all)
	}
}

// TestRollStandIn: an actor stood in for counts with the stand-in's
// answer unless it answered itself, whose answer stands; a second stand-in
// changes nothing, and one for an actor not asked counts for nothing.
// Done says when Wait has returned.
func TestRollStandIn(t *testing.T) {
	var r Roll[int]
	a, _ := r.Ask("a"), r.Ask("b")
	a <- 1
	r.StandIn("a", 10) // answered: its own answer stands
	r.StandIn("b", 20)
	r.StandIn("b", 30)
	r.StandIn("z", 40)
	if r.Done() {
		t.Fatal("Done before Wait")
	}
	got, all := r.Wait(time.Hour)
	slices.Sort(got)
	if !all || !slices.Equal(got, []int{1, 20}) {
		t.Fatalf("Wait = %v, %v; want [1 20], true", got, all)
	}
	if !r.Done() {
		t.Fatal("not Done after Wait")
	}
	r.StandIn("b", 50) // after the wait: nothing blocks
}
