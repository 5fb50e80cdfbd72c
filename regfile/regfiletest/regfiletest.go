// Package regfiletest checks in tests that a reader of regfile returns
// at once on a file that would block it (a FIFO with no writer) or never
// end (/dev/zero).
package regfiletest

import (
	"testing"
	"time"
)

// Bound is how long Prompt waits: far above any refusal, which takes
// microseconds, so that only a blocked reader fails.
const Bound = 5 * time.Second

// Prompt runs f on a goroutine and fails t at once (t.Fatalf, naming
// what) when f has not returned within Bound. The goroutine of a blocked
// f is left behind: the test binary ends with the failure.
func Prompt(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(Bound):
		t.Fatalf("%s still blocked after %v", what, Bound)
	}
}
