// Package ipadm models illumos ipadm's interface and address objects for
// Linux (SPEC §4): their names, their persistent form, what each command
// does to them (plan*.go: given the persistent and the active
// configuration, a Plan of kernel steps, manager commands and store
// writes, or the coded refusal), and the listings show-if and show-addr
// print, including ipadm's parsable output. It is pure: package
// ipadm/run carries the plans out and gathers what the listings observe;
// the admin actor orders the commands.
package ipadm
