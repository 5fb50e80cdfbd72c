package messages

import (
	"reflect"
	"time"
)

// Gather receives n replies from ch within d, for an actor that asked n
// others at once (StatusQuery; the shutdown uses GatherEach) and collects
// their answers off its Receive. It returns what came, and false when d ran out first: an
// actor that dies before answering answers nothing, and the asker must
// still answer its own caller.
func Gather[T any](ch <-chan T, n int, d time.Duration) ([]T, bool) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	out := make([]T, 0, n)
	for range n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-deadline.C:
			return out, false
		}
	}
	return out, true
}

// GatherEach receives one reply from each of the actors asked at once,
// each answering on a channel of its own (replies, by the asked actor's
// id), within d, off the asker's Receive. An id reported on gone (the
// actor stopped) counts as that actor's answer, with the reply it left,
// if any: an actor that stops with the question still in its mailbox
// answers nothing (its mailbox goes with it), and waiting for it would
// hold the asker for all of d. Each id counts once, answered or gone,
// however often it is reported, and an id not asked counts for nothing:
// one actor's answer and its stop never stand for another's answer. It
// returns the replies that came, and false when d ran out first.
func GatherEach[T any](replies map[string]<-chan T, gone <-chan string, d time.Duration) ([]T, bool) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	// One select over every channel still owed, then gone, then the
	// deadline; a settled one's case is emptied (never ready).
	cases := make([]reflect.SelectCase, 0, len(replies)+2)
	index := make(map[string]int, len(replies))
	for id, ch := range replies {
		index[id] = len(cases)
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
	}
	goneAt, deadlineAt := len(cases), len(cases)+1
	cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(gone)},
		reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(deadline.C)})
	out := make([]T, 0, len(replies))
	owed := len(replies)
	settle := func(i int, v reflect.Value, ok bool) {
		if ok {
			out = append(out, v.Interface().(T))
		}
		cases[i].Chan = reflect.Value{}
		owed--
	}
	for owed > 0 {
		i, v, ok := reflect.Select(cases)
		switch {
		case i == deadlineAt:
			return out, false
		case i == goneAt && !ok:
			cases[i].Chan = reflect.Value{} // closed: no more stops reported
		case i == goneAt:
			if j, asked := index[v.String()]; asked && cases[j].Chan.IsValid() {
				left, ok := cases[j].Chan.TryRecv() // its answer, if it came
				settle(j, left, ok)
			}
		default:
			settle(i, v, ok)
		}
	}
	return out, true
}
