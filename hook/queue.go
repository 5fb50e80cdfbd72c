package hook

import (
	"slices"

	"github.com/dhcpagent/dhcpagent/lease"
)

// Queue holds one interface's hooks: they run one at a time, in event
// order, and each event's replies are held until its hook has exited
// (SPEC §5). It is bounded, so that a storm (a server that NAKs every
// REQUEST, a flapping carrier) costs a few hook runs, never memory or a
// command's answer:
//   - an event like the one last queued folds into it: the hook runs once,
//     for the latest lease, and holds both events' replies;
//   - beyond MaxWaiting waiting, the oldest waiting hook is skipped (its
//     replies go at once);
//   - DROP and RELEASE end the interface's lease: the hooks still waiting
//     are skipped, so drop and release wait for the running hook at most,
//     never behind the queue.
//
// The queue only decides; its owner (a Driver) runs the hooks, sends the
// replies the queue gives back, and logs what it folded and skipped. The
// zero Queue is empty.
type Queue struct {
	jobs    []Job // waiting, oldest first
	running *Job
}

// Job is one hook run, waiting or running.
type Job struct {
	Event lease.EventName
	Env   []string // LeaseEnv's, for the latest event it stands for
	// Replies are the answers held until the hook has exited.
	Replies []lease.Reply
	// Folded counts the later events of the same name this run stands for.
	Folded int
	// Seq numbers the run once it starts, to tell its outcome from an
	// earlier run's.
	Seq uint64
}

// MaxWaiting bounds the hooks of one interface waiting behind the running
// one. The distinct events of one exchange (EXPIRE, then BOUND again;
// DECLINE, then BOUND) fit several times over.
const MaxWaiting = 8

// Added is what Add did with an event.
type Added struct {
	// Place is where the event's replies go (Hold), valid until the next
	// Add.
	Place int
	// Folded is set when the event folded into the last waiting job;
	// Events is then how many events that job stands for.
	Folded bool
	Events int
	// Skipped are the waiting jobs skipped to make room, oldest first:
	// their events have happened, and their replies go now. Why says why.
	Skipped []Job
	Why     string
}

// Add queues the hook of event e with the environment env. The owner
// starts it (Start) once all of the event's actions are carried out, so
// that its replies describe the finished state.
func (q *Queue) Add(e lease.EventName, env []string) Added {
	if n := len(q.jobs); n > 0 && q.jobs[n-1].Event == e {
		last := &q.jobs[n-1]
		last.Env = env
		last.Folded++
		return Added{Place: n - 1, Folded: true, Events: last.Folded + 1}
	}
	var a Added
	switch {
	case e == lease.EventDrop || e == lease.EventRelease:
		a.Skipped, a.Why = q.skip(len(q.jobs)), "superseded by "+string(e)
	case len(q.jobs) >= MaxWaiting:
		a.Skipped, a.Why = q.skip(1), "hook queue full"
	}
	q.jobs = append(q.jobs, Job{Event: e, Env: env})
	a.Place, a.Events = len(q.jobs)-1, 1
	return a
}

// skip takes the n oldest waiting jobs out of the queue.
func (q *Queue) skip(n int) []Job {
	if n == 0 {
		return nil
	}
	out := slices.Clone(q.jobs[:n])
	q.jobs = slices.Delete(q.jobs, 0, n)
	return out
}

// Hold keeps r until the hook at place (Added.Place) has exited.
func (q *Queue) Hold(place int, r lease.Reply) {
	q.jobs[place].Replies = append(q.jobs[place].Replies, r)
}

// Start makes the oldest waiting job the running one, numbered by seq,
// and returns it; false when one is running already or none waits.
func (q *Queue) Start(seq func() uint64) (Job, bool) {
	if q.running != nil || len(q.jobs) == 0 {
		return Job{}, false
	}
	job := q.jobs[0]
	q.jobs = slices.Delete(q.jobs, 0, 1)
	job.Seq = seq()
	q.running = &job
	return job, true
}

// Done ends the running job if seq is its number and returns it, with the
// replies to send now; false for the outcome of another run (one of an
// earlier incarnation, or one dropped by Flush).
func (q *Queue) Done(seq uint64) (Job, bool) {
	if q.running == nil || q.running.Seq != seq {
		return Job{}, false
	}
	job := *q.running
	q.running = nil
	return job, true
}

// Flush empties the queue and returns its jobs, the running one first: no
// outcome will be waited for any more, and their replies go now.
func (q *Queue) Flush() []Job {
	jobs := q.jobs
	if q.running != nil {
		jobs = append([]Job{*q.running}, jobs...)
	}
	*q = Queue{}
	return jobs
}

// Waiting is how many jobs wait behind the running one.
func (q *Queue) Waiting() int { return len(q.jobs) }
