package actors

import (
	"github.com/dhcpagent/dhcpagent/hook"
)

// The interface's hooks run from a hook.Driver, whose hook.Queue decides
// what runs, folds and is skipped (SPEC §5). It gets an event's hooks and
// answers only once all of the event's actions are carried out (handle),
// so that the answers describe the finished state (timers armed, lease
// applied).

// newDriver returns the interface's hook driver: a run's outcome comes
// back to the actor as a *hook.Outcome, the answers it lets go are
// replies to the actor's commands.
func (a *iface) newDriver() hook.Driver {
	root, self := a.root, a.self
	return hook.Driver{Hooks: a.env.Hooks, Ifname: a.link.Name, Log: a.log, Seq: a.env.gens.Next,
		Post:  func(o *hook.Outcome) { root.Send(self, o) },
		Reply: a.reply}
}
