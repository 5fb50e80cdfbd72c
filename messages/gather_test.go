package messages

import (
	"slices"
	"testing"
	"time"
)

// TestGather: the n replies are collected in the order they came; with
// one missing, what came is returned with false once d has run out; with
// none expected, at once.
func TestGather(t *testing.T) {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	if got, ok := Gather(ch, 3, time.Hour); !ok || !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("Gather of 3 sent = %v, %v; want 1 2 3, true", got, ok)
	}
	ch <- 4
	if got, ok := Gather(ch, 2, time.Millisecond); ok || !slices.Equal(got, []int{4}) {
		t.Fatalf("Gather with one missing = %v, %v; want 4, false", got, ok)
	}
	if got, ok := Gather(ch, 0, 0); !ok || len(got) != 0 {
		t.Fatalf("Gather of none = %v, %v; want nothing, true", got, ok)
	}
}

// TestGatherEach: each asked id counts once, by its reply or its stop;
// a second report of one id, or the stop of one that answered, never
// stands for another's missing answer; a stop of an id not asked counts
// for nothing; a stopped one's reply left on its channel is collected.
func TestGatherEach(t *testing.T) {
	type report struct {
		reply string // id whose channel gets a reply ("" none)
		gone  string // id reported gone ("" none)
	}
	for _, tc := range []struct {
		name    string
		reports []report
		want    []int // replies, sorted
		all     bool
	}{
		{"both answer", []report{{reply: "a"}, {reply: "b"}}, []int{1, 2}, true},
		{"one stops unanswered", []report{{reply: "a"}, {gone: "b"}}, []int{1}, true},
		{"both stop", []report{{gone: "a"}, {gone: "b"}}, nil, true},
		{"one stops twice", []report{{gone: "a"}, {gone: "a"}}, nil, false},
		{"one answers and stops", []report{{reply: "a"}, {gone: "a"}}, []int{1}, false},
		{"a stranger stops", []report{{reply: "a"}, {gone: "z"}}, []int{1}, false},
		{"stopped after its answer was sent", []report{{reply: "b"}, {gone: "b"}, {gone: "a"}}, []int{2}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := make(chan int, 1), make(chan int, 1)
			chans := map[string]chan int{"a": a, "b": b}
			values := map[string]int{"a": 1, "b": 2}
			gone := make(chan string, len(tc.reports))
			for _, r := range tc.reports {
				if r.reply != "" {
					chans[r.reply] <- values[r.reply]
				}
				if r.gone != "" {
					gone <- r.gone
				}
			}
			d := time.Hour
			if !tc.all {
				d = 10 * time.Millisecond // it must run out: b owes its answer
			}
			got, all := GatherEach(map[string]<-chan int{"a": a, "b": b}, gone, d)
			slices.Sort(got)
			if all != tc.all || !slices.Equal(got, tc.want) {
				t.Fatalf("GatherEach = %v, %v; want %v, %v", got, all, tc.want, tc.all)
			}
		})
	}
	if got, all := GatherEach[int](nil, nil, 0); !all || len(got) != 0 {
		t.Fatalf("GatherEach of none = %v, %v; want nothing, true", got, all)
	}
}
