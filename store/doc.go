// Package store is the agent's persistent state under --state-dir (SPEC
// §1): one lease record per interface, one interface record per interface
// (its IAID and whether it is under management), the host's DUID and
// primary interface, and the ipadm objects. Files are JSON, readable by a
// person or a script; packets are kept as hex.
//
// Every write is atomic: a temporary file in the same directory is
// written, fsynced and renamed over the old one, and the directory is
// fsynced, so a kill -9 at any instant leaves either the old record or the
// new one, never a torn file. A file that does not parse is renamed aside
// (NAME.corrupt-TIMESTAMP), reported, and treated as absent: bad state is
// never fatal.
package store
