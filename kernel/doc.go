// Package kernel applies leases to the Linux kernel and administers links,
// through rtnetlink (Netlink): addresses with both lifetimes, the lease's
// routes marked RTPROT_DHCP with the interface's own metric, an optional
// per-interface table with its "from ADDRESS" rule, the host's address list
// and the conflict check on it (a dump, and AddrTable: the list in memory
// that the agent's address watch keeps current, with the links the agent
// manages, which answers whether an offered address conflicts and whether
// a gateway is the host's own), MTU, and the link state and
// IPv6 switches that interface administration (SPEC §4) needs.
//
// What a lease installs is described by an AddrConfig, a value the owner
// keeps and hands back to Remove, so that exactly what the agent added is
// taken away and nothing an operator put there (SPEC §2). Each
// interface's Worker carries out the lease's Plan off the interface
// actor, in order (worker.go): the address and routes, then the DNS, the
// host name (through the Resolver and HostNamer it is given) and the MTU,
// and it keeps what it installed so that it can take it back.
//
// It is separate from package transport, which moves DHCP and ARP packets:
// the two share nothing but the interface index. Package kerneltest is an
// in-memory kernel for the actors' tests.
package kernel
