package messages

// Asks reports whether r only asks: its one effect is its answer (status,
// ping, info, stats, version and the listings, what SPEC §3 lets any user
// give). What changes something is carried out even after its caller has
// stopped waiting (a TIMEOUT leaves the transaction running, SPEC §3).
func Asks(r Request) bool {
	switch r.(type) {
	case Status, Ping, Info, Stats, Version, ShowIf, ShowAddr:
		return true
	}
	return false
}

// Abandoned reports whether c may be let go unanswered: it only asks
// (Asks) and its caller has stopped waiting (its Ctx is done), so nobody
// would read its answer and nothing else is lost with it. An actor that
// holds commands in a bounded stash lets the abandoned ones go before it
// answers another LIMIT: a caller that asks with --wait 0, or goes away,
// and asks again would otherwise fill the stash for everybody, root
// included, while it holds no connection (SPEC §3 limits what a user may
// hold of the agent by its connections).
func (c *Command) Abandoned() bool {
	return c != nil && c.Ctx != nil && c.Ctx.Err() != nil && Asks(c.Req)
}
