// Package metrics is the agent's Prometheus instrumentation (SPEC §7,
// `agent --metrics ADDR`), made with client_golang on a registry of its own
// (never the global one):
//
//   - per interface, collected at scrape time from the interface actors'
//     statuses (asked with a deadline, so a scrape never blocks an actor):
//     state, lease start, renewal (T1), rebinding (T2) and expiry
//     instants, bad offers, declines;
//   - per interface and DHCP message type, the messages sent and received,
//     counted where the transport hands them over;
//   - transaction latency: from the first message of an exchange to the
//     ACK or NAK that ends it (RFC 2131 §4.4: DISCOVER..ACK, INIT-REBOOT,
//     RENEWING/REBINDING, INFORM);
//   - the shared transport's counters and the Go runtime and process
//     collectors.
//
// The package never logs; the names are documented in docs/config.md.
package metrics
