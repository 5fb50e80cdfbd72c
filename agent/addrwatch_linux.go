package agent

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/vishvananda/netlink"
	"go.uber.org/zap"
)

// addrSource is the address watch's source: address changes, and a dump
// of the IPv4 addresses.
type addrSource = source[netlink.AddrUpdate, []kernel.IfAddr]

// kernelAddrs is the netlink of the agent's own namespace; list is the
// kernel's dump (kernel.Netlink.Addrs).
func kernelAddrs(list func() ([]kernel.IfAddr, error)) addrSource {
	return addrSource{
		subscribe: func(ch chan<- netlink.AddrUpdate, done <-chan struct{}, onErr func(error)) error {
			return netlink.AddrSubscribeWithOptions(ch, done, netlink.AddrSubscribeOptions{ErrorCallback: onErr})
		},
		list: list,
	}
}

// watchAddrs keeps table equal to the host's IPv4 address list until ctx
// ends, so that the conflict check (actors, SPEC §2) reads memory inside
// an actor's Receive and never dumps the kernel's table there: each
// RTM_NEWADDR/RTM_DELADDR is applied as it comes, and the whole list is
// read again after subscribing, the first time and whenever the
// subscription was lost (a burst of address changes overran the socket)
// or refused. Between a loss and the next dump the table is stale, never
// empty. synced (if not nil) is called after each dump taken in.
func watchAddrs(ctx context.Context, log *zap.Logger, table *kernel.AddrTable, src addrSource, delay time.Duration,
	synced func()) {
	feed[netlink.AddrUpdate]{
		what:      "address",
		log:       log,
		subscribe: src.subscribe,
		sync: func(bool) error {
			list, err := dumpAgain(src.list)
			if err != nil {
				// Interrupted three times, or refused: keep the list
				// there is, and try again.
				return fmt.Errorf("reading the addresses: %w", err)
			}
			table.Reset(list)
			if synced != nil {
				synced()
			}
			return nil
		},
		apply: func(u netlink.AddrUpdate) { applyAddr(table, u) },
	}.run(ctx, delay)
}

// startAddrWatch starts the address watch (watchAddrs) and returns once
// its first dump is in the table, or after wait, whichever comes first;
// it reports whether the dump is in. The interfaces resume only after
// it: their conflict check and gateway check read the table, and an
// empty one would let an offered address that another interface of the
// host already has pass. A dump refused or interrupted at start-up is
// thus tried again (the watch's resubscription, from delay on) before
// any interface needs the list, and the list is read once, after
// subscribing, so no change falls between the two.
func startAddrWatch(ctx context.Context, log *zap.Logger, table *kernel.AddrTable, src addrSource, delay, wait time.Duration) bool {
	in := make(chan struct{})
	go watchAddrs(ctx, log, table, src, delay, sync.OnceFunc(func() { close(in) }))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-in:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// applyAddr applies one address update to table. IPv6 addresses (the
// subscription carries both families) are not the conflict check's.
func applyAddr(table *kernel.AddrTable, u netlink.AddrUpdate) {
	if a, ok := ifAddr(u); ok {
		table.Event(a, u.NewAddr)
	}
}

// ifAddr is the IPv4 address an update is about, as kernel.Netlink.Addrs
// would list it.
func ifAddr(u netlink.AddrUpdate) (kernel.IfAddr, bool) {
	ones, bits := u.LinkAddress.Mask.Size()
	ip, ok := netip.AddrFromSlice(u.LinkAddress.IP.To4())
	if !ok || bits != 32 {
		return kernel.IfAddr{}, false
	}
	return kernel.IfAddr{Ifindex: u.LinkIndex, Prefix: netip.PrefixFrom(ip, ones)}, true
}
