// Package dns hands the name servers and search domains of the bound
// interfaces to the host's resolver (SPEC §2 "Several interfaces on one
// host", DNS=auto|resolved|resolvconf|file|no).
//
// A Manager keeps what every interface holds and applies it on a goroutine
// of its own, so that an interface actor never waits for a file, a process
// or D-Bus: Set and Clear only record and wake the worker, which coalesces
// a burst of changes into one application. The backends are
//
//   - File: RESOLV_CONF rewritten from every bound interface, primary
//     first, deduplicated, atomically (in place when the file is a bind
//     mount), the file found first restored when the last interface lets go;
//   - Resolvconf: resolvconf(8), `-a IF.dhcp` and `-d IF.dhcp`;
//   - Resolved: systemd-resolved's per-link DNS over D-Bus
//     (org.freedesktop.resolve1 SetLinkDNS, SetLinkDomains, RevertLink);
//   - Auto: resolved when its D-Bus name has an owner, else resolvconf when
//     installed, else nothing.
//
// Values come from DHCP servers: Sanitize keeps only unicast IPv4 servers
// and well-formed domain names, a bounded number of each, so that nothing a
// server sends can add a line of its own to a resolver's configuration.
package dns
