// Package ipadm models illumos ipadm's interface and address objects for
// Linux (SPEC §4): their names, their persistent form, and the fields
// show-if and show-addr print, including ipadm's parsable output. It is
// pure: the admin actor applies objects to the kernel and keeps them in
// the store.
package ipadm
