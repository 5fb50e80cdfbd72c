package store

import "sync"

// batcher runs a directory fsync once for every caller that joined the
// same round. A rename is durable once its directory is fsynced after it;
// when a thousand interfaces bind at once, a thousand directory fsyncs one
// after another take seconds, each forcing its own journal commit, where
// one round serves them all.
//
// A caller joins the round that has not started yet, so the round covers
// what the caller did before joining. Rounds run one at a time: whoever
// finds no round running starts the pending one, for everyone in it.
type batcher struct {
	do func() error

	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	next    *round // the round callers join; nil when none yet
	waiting int    // callers parked until a round ends
}

type round struct {
	done bool
	err  error
}

func newBatcher(do func() error) *batcher {
	b := &batcher{do: do}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// run joins the pending round and returns its error once it has run.
func (b *batcher) run() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next == nil {
		b.next = &round{}
	}
	mine := b.next
	for !mine.done {
		if b.running {
			b.waiting++
			b.cond.Wait()
			b.waiting--
			continue
		}
		// Not running and mine not done: mine is the pending round.
		b.next, b.running = nil, true
		b.mu.Unlock()
		err := b.do()
		b.mu.Lock()
		mine.done, mine.err, b.running = true, err, false
		b.cond.Broadcast()
	}
	return mine.err
}
