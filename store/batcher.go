package store

import "sync"

// batcher runs expensive durability work (fsync) once for every caller
// that joined the same round. When a thousand interfaces bind at once,
// a thousand fsyncs one after another take seconds, each forcing its own
// journal commit; one round that syncs them all takes about as long as
// one of them.
//
// A caller joins the round that has not started yet, so the round covers
// what the caller did before joining. Rounds run one at a time: whoever
// finds no round running starts the pending one, for everyone in it.
type batcher[T any] struct {
	do func([]T) error

	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	pending []T
	next    *round // the round pending joins; nil when none yet
	waiting int    // callers parked until a round ends
}

type round struct {
	done bool
	err  error
}

func newBatcher[T any](do func([]T) error) *batcher[T] {
	b := &batcher[T]{do: do}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// run adds item to the pending round and returns that round's error once
// it has run.
func (b *batcher[T]) run(item T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next == nil {
		b.next = &round{}
	}
	mine := b.next
	b.pending = append(b.pending, item)
	for !mine.done {
		if b.running {
			b.waiting++
			b.cond.Wait()
			b.waiting--
			continue
		}
		// Not running and mine not done: mine is still the pending round.
		batch, r := b.pending, b.next
		b.pending, b.next, b.running = nil, nil, true
		b.mu.Unlock()
		err := b.do(batch)
		b.mu.Lock()
		r.done, r.err, b.running = true, err, false
		b.cond.Broadcast()
	}
	return mine.err
}
