package actors

// The machine's timers are clock.Timers: they run on the Clock and come
// back to the actor as TimerFired messages stamped with a generation, and
// a timer stopped or re-armed meanwhile (or armed by a dead incarnation)
// never matches.

// quiesce stops timers and stops listening, leaving the kernel as it is: a
// restarted incarnation or the next agent takes over from there.
func (a *iface) quiesce() {
	a.timers.StopAll()
	a.waits.Stop()
	a.listener.Stop()
}
