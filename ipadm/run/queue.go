package run

import (
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
)

// MaxQueue bounds the commands waiting for the one running.
const MaxQueue = 1024

// Job is one command to carry out, or the agent's own work: replay at
// start-up (C nil), the removals at shutdown (Done set).
type Job struct {
	C      *messages.Command
	Decide func(ipadm.Configs) ([]ipadm.Plan, error)
	Done   chan<- *messages.Result
}

// Queue holds the administrative jobs waiting for the running one, in
// the order they came, and answers those it will not run: beyond
// MaxQueue (LIMIT), once the agent is stopping (SHUTDOWN: nothing they
// would configure is applied). The zero Queue is empty and open.
type Queue struct {
	jobs    []Job
	closing bool
}

// Add queues c with its decision, or answers it at once if the queue is
// stopping or full.
func (q *Queue) Add(c *messages.Command, decide func(ipadm.Configs) ([]ipadm.Plan, error)) {
	switch {
	case q.closing:
		c.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping"))
	case len(q.jobs) >= MaxQueue:
		c.Answer(messages.Fail(ipc.ErrLimit, "%d administrative commands are waiting already", len(q.jobs)))
	default:
		q.jobs = append(q.jobs, Job{C: c, Decide: decide})
	}
}

// First puts the agent's own job j ahead of everything queued (the
// replay at start-up: commands that came meanwhile wait behind it),
// unless the queue is stopping: after SIGTERM nothing is brought up.
func (q *Queue) First(j Job) {
	if !q.closing {
		q.jobs = append([]Job{j}, q.jobs...)
	}
}

// Stop answers every queued command SHUTDOWN and leaves j (the removals
// at shutdown) the only job; later commands are answered SHUTDOWN.
func (q *Queue) Stop(j Job) {
	q.closing = true
	for _, w := range q.jobs {
		w.C.Answer(messages.Fail(ipc.ErrShutdown, "agent stopping")) // nil: nobody waits
	}
	q.jobs = []Job{j}
}

// Drop empties the queue, answering each command r and each job's Done
// OK (a restart: its one answer is buffered).
func (q *Queue) Drop(r *messages.Result) {
	for _, j := range q.jobs {
		j.C.Answer(r)
		if j.Done != nil {
			j.Done <- messages.OK()
		}
	}
	q.jobs = nil
}

// Next takes the first queued job off, if any.
func (q *Queue) Next() (Job, bool) {
	if len(q.jobs) == 0 {
		return Job{}, false
	}
	j := q.jobs[0]
	q.jobs = q.jobs[1:]
	return j, true
}

// Closing reports whether Stop was called.
func (q *Queue) Closing() bool { return q.closing }
