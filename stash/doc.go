// Package stash is a mailbox stash, as in Akka's Stash: an actor that
// cannot handle some messages yet (its state is still being read, its
// configuration brought up) sets them aside in the order they came and
// takes them back, in that order, once it can. It exists once so that
// the actors that need it do not each keep a slice of their own.
//
// A Stash is bounded (STYLE.md: every queue has a length). Push refuses a
// message beyond the bound instead of growing, like Akka's bounded stash
// (StashOverflowException); what the owner does with a refused message,
// typically answering a command at once, is its own decision and is
// documented where it stashes.
//
// A Gate is the wait itself, which the manager and the interface actor
// both keep on a Stash: closed until what the messages need is in,
// holding them meanwhile, then replaying them one at a time while it
// stays open.
//
// A Stash or a Gate belongs to one actor and is not safe for concurrent
// use: it is used from Receive only.
package stash
