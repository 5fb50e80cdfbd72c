package run

import "github.com/dhcpagent/dhcpagent/messages"

// Hold keeps the listings (show-if, show-addr) that come while the
// persistent configuration is read and brought up at start-up, as they
// would have waited for a replay in Started, so that the first show-if
// after a start shows it. It keeps at most MaxQueue; the zero Hold is
// not holding.
type Hold struct {
	on   bool
	held []*messages.Command
}

// Start begins holding.
func (h *Hold) Start() { h.on = true }

// Keep holds c and reports true while holding and not full; otherwise
// c is to be answered now.
func (h *Hold) Keep(c *messages.Command) bool {
	if !h.on || len(h.held) >= MaxQueue {
		return false
	}
	h.held = append(h.held, c)
	return true
}

// End stops holding and returns what was held, in order (nil if it was
// not holding).
func (h *Hold) End() []*messages.Command {
	held := h.held
	h.on, h.held = false, nil
	return held
}

// Drop answers every held command r (a restart) and keeps none.
func (h *Hold) Drop(r *messages.Result) {
	for _, c := range h.held {
		c.Answer(r)
	}
	h.held = nil
}
