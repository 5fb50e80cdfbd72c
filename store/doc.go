// Package store is the agent's persistent state under --state-dir (SPEC
// §1): one lease record per interface, one interface record per interface
// (its IAID and whether it is under management), the host's DUID and
// primary interface, and the ipadm objects. Files are JSON, readable by a
// person or a script; packets are kept as hex.
//
// Every write is atomic: a temporary file in the same directory is
// written, fsynced and renamed over the old one, and the directory is
// fsynced, so a kill -9 at any instant leaves either the old record or the
// new one, never a torn file; the temporary files such a kill leaves are
// removed when the store is next opened.
//
// The directory is trusted only once checked, its contents never: Open
// refuses a state dir another user owns or could write (its records would
// make root install anything); a record is read only from a regular file
// of ours, never through a symbolic link, never from a FIFO or device,
// never past a size limit (safe.go). A file that is none of that, does not
// parse or does not validate is renamed aside (NAME.corrupt-TIMESTAMP),
// reported, and treated as absent; a directory that takes no writes
// (read-only, full) leaves the records in memory, the failure reported.
// Bad state is never fatal: the agent runs and says so, in the log and in
// status (Problems).
package store
