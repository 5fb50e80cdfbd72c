// Package kerneltest is an in-memory stand-in for package kernel, for the
// tests of what sits above it (the interface and admin actors). Kernel
// keeps what the code under test asked of it, the way the kernel would
// (an applied address is in the address list and on its link until it is
// removed), and records each application so that a test can read back
// exactly what was installed and taken away.
//
// Failures are function-shaped, in the manner of mdlayher/netlink's nltest:
// the test hands Kernel a function that sees every call first, and a
// non-nil error it returns is the kernel's answer, with nothing changed.
// A test of "the kernel refuses this route" or "the link vanished under
// us" writes that function and nothing else.
package kerneltest

import (
	"net/netip"
	"slices"
	"sync"

	"github.com/dhcpagent/dhcpagent/kernel"
)

// Call is one request made of the kernel, as the fail function sees it.
type Call struct {
	// Op is the method called: "Apply", "Remove", "Withdraw", "Addrs",
	// "MTU", "SetMTU", "State", "SetUp" or "SetIPv6".
	Op string
	// Ifindex is the link of a call by index (Apply, Remove and Withdraw:
	// the configuration's).
	Ifindex int
	// Name is the link of a call by name (State, SetIPv6).
	Name string
	// Config is what Apply or Remove was given, and Withdraw's old
	// configuration.
	Config kernel.AddrConfig
}

// Kernel is a fake kernel: addresses, link states, MTUs and IPv6 switches
// in memory. The zero value has no links and no addresses; it is safe for
// concurrent use.
type Kernel struct {
	mu   sync.Mutex
	fail func(Call) error
	// applied, removed and withdrawn are every Apply, Remove and
	// Withdraw in order; withdrawn holds what Withdraw took away, as
	// configurations of the application it came from.
	applied, removed, withdrawn []kernel.AddrConfig
	addrs                       []kernel.IfAddr
	mtu                         map[int]int
	links                       map[string]*kernel.LinkState
	ipv6                        map[string]bool
	// feed follows the address list, as the kernel's address events
	// keep the agent's table (Feed).
	feed *kernel.AddrTable
}

// Feed makes t follow the fake host's address list from now on, the way
// the kernel's address events and dumps keep the agent's table: t is
// reset to the list at once, and every change (Apply, Remove, SetAddrs)
// reaches it before the call returns. One table is fed at a time.
func (k *Kernel) Feed(t *kernel.AddrTable) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.feed = t
	t.Reset(k.addrs)
}

// event tells the fed table of a change; k.mu is held.
func (k *Kernel) event(a kernel.IfAddr, present bool) {
	if k.feed != nil {
		k.feed.Event(a, present)
	}
}

// SetFail installs f, which sees every later call before the kernel does
// (from the caller's goroutine; f may block); nil makes every call succeed
// again.
func (k *Kernel) SetFail(f func(Call) error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail = f
}

// check asks the fail function about c, without holding k.mu: a fail
// function may block (a kernel slow to answer) while other calls go on.
func (k *Kernel) check(c Call) error {
	k.mu.Lock()
	f := k.fail
	k.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(c)
}

// AddLink puts a link called name on the fake host.
func (k *Kernel) AddLink(name string, s kernel.LinkState) {
	k.mu.Lock()
	defer k.mu.Unlock()
	put(&k.links, name, &s)
}

// put sets (*m)[key], making the map on first use: the zero Kernel is
// ready.
func put[K comparable, V any](m *map[K]V, key K, v V) {
	if *m == nil {
		*m = make(map[K]V)
	}
	(*m)[key] = v
}

// Apply records c and, like the kernel, puts its address on the link.
func (k *Kernel) Apply(c kernel.AddrConfig) error {
	if err := k.check(Call{Op: "Apply", Ifindex: c.Ifindex, Config: c}); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.applied = append(k.applied, c)
	if a := (kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}); !slices.Contains(k.addrs, a) {
		k.addrs = append(k.addrs, a)
		k.event(a, true)
	}
	return nil
}

// Remove records c and takes its address off the link.
func (k *Kernel) Remove(c kernel.AddrConfig) error {
	if err := k.check(Call{Op: "Remove", Ifindex: c.Ifindex, Config: c}); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.removed = append(k.removed, c)
	gone := kernel.IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}
	if slices.Contains(k.addrs, gone) {
		k.addrs = slices.DeleteFunc(k.addrs, func(a kernel.IfAddr) bool { return a == gone })
		k.event(gone, false)
	}
	return nil
}

// Withdraw records what kernel.Vanished says old loses to next, when it
// loses anything.
func (k *Kernel) Withdraw(old, next kernel.AddrConfig) error {
	if err := k.check(Call{Op: "Withdraw", Ifindex: old.Ifindex, Config: old}); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if routes, rule := kernel.Vanished(old, next); len(routes) > 0 || rule {
		k.withdrawn = append(k.withdrawn, kernel.AddrConfig{Ifindex: old.Ifindex, Addr: old.Addr,
			Metric: old.Metric, Table: old.Table, Routes: routes})
	}
	return nil
}

// Addrs lists the addresses on the fake host.
func (k *Kernel) Addrs() ([]kernel.IfAddr, error) {
	if err := k.check(Call{Op: "Addrs"}); err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.addrs), nil
}

// SetAddrs replaces the host's address list, as an operator's own
// addresses or another program's would.
func (k *Kernel) SetAddrs(addrs ...kernel.IfAddr) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.addrs = slices.Clone(addrs)
	if k.feed != nil {
		k.feed.Reset(addrs)
	}
}

// MTU returns what SetMTU set on ifindex, 1500 before that.
func (k *Kernel) MTU(ifindex int) (int, error) {
	if err := k.check(Call{Op: "MTU", Ifindex: ifindex}); err != nil {
		return 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if m, ok := k.mtu[ifindex]; ok {
		return m, nil
	}
	return 1500, nil
}

// SetMTU sets the MTU of ifindex.
func (k *Kernel) SetMTU(ifindex, mtu int) error {
	if err := k.check(Call{Op: "SetMTU", Ifindex: ifindex}); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	put(&k.mtu, ifindex, mtu)
	return nil
}

// State returns the link called name, or an error wrapping
// kernel.ErrNoLink, as the real one does.
func (k *Kernel) State(name string) (kernel.LinkState, error) {
	if err := k.check(Call{Op: "State", Name: name}); err != nil {
		return kernel.LinkState{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if l, ok := k.links[name]; ok {
		return *l, nil
	}
	return kernel.LinkState{}, kernel.ErrNoLink
}

// SetUp sets the link with that index administratively up or down.
func (k *Kernel) SetUp(index int, up bool) error {
	if err := k.check(Call{Op: "SetUp", Ifindex: index}); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, l := range k.links {
		if l.Index == index {
			l.Up = up
		}
	}
	return nil
}

// SetIPv6 records the link's IPv6 switch.
func (k *Kernel) SetIPv6(name string, on bool) error {
	if err := k.check(Call{Op: "SetIPv6", Name: name}); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	put(&k.ipv6, name, on)
	return nil
}

// AddrFlags reports whether p is on the link; a fake address is never
// tentative nor a duplicate.
func (k *Kernel) AddrFlags(index int, p netip.Prefix) (present, tentative, duplicate bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Contains(k.addrs, kernel.IfAddr{Ifindex: index, Prefix: p}), false, false
}

// IPv6 reports the last SetIPv6 of name, and whether there was one.
func (k *Kernel) IPv6(name string) (on, set bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	on, set = k.ipv6[name]
	return on, set
}

// Snapshot returns every configuration applied and removed, in order.
func (k *Kernel) Snapshot() (applied, removed []kernel.AddrConfig) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.applied), slices.Clone(k.removed)
}

// LastApplied returns the latest configuration applied to ifindex.
func (k *Kernel) LastApplied(ifindex int) (kernel.AddrConfig, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, c := range slices.Backward(k.applied) {
		if c.Ifindex == ifindex {
			return c, true
		}
	}
	return kernel.AddrConfig{}, false
}

// Withdrawn returns what each Withdraw took away, in order.
func (k *Kernel) Withdrawn() []kernel.AddrConfig {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.withdrawn)
}
