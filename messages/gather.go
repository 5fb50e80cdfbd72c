package messages

import "time"

// Gather receives n replies from ch within d, for an actor that asked n
// others at once (StatusQuery, Shutdown) and collects their answers off
// its Receive. It returns what came, and false when d ran out first: an
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
