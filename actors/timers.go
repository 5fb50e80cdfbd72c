package actors

// The machine's timers are clock.Timers, posting TimerFired; their
// generations, shared through Env.gens, keep a dead incarnation's from
// matching.

// quiesce stops timers and stops listening, leaving the kernel as it is: a
// restarted incarnation or the next agent takes over from there.
func (a *iface) quiesce() {
	a.timers.StopAll()
	a.waits.Stop()
	a.listener.Stop()
}
