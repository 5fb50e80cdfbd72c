package kernel

import (
	"errors"
	"sync"

	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/serial"
	"go.uber.org/zap"
)

// What a lease puts on the host (address, routes, rule, MTU, DNS, host
// name) is netlink requests, a resolver that may be systemd-resolved over
// D-Bus, and a host name written to the kernel: never in an actor's
// Receive. Each interface name has one Worker, shared by every actor and
// incarnation of that name as its store.Recorder is (and kept while it
// has something to take back: Workers), that makes the calls
// on a goroutine of its own (a serial.Queue), in the order the actor
// asked for them; the actor posts each outcome back to itself. The
// worker, not the actor, knows what it put on the kernel (applied, the
// MTU it replaced): a restarted incarnation's next application withdraws
// what the failed one installed, and no queued effect is lost with it.

// Resolver receives the DNS each interface holds (dns.Manager); it never
// blocks.
type Resolver interface {
	Set(dns.Link)
	Clear(ifname string)
}

// HostNamer sets the kernel host name for one interface at a time
// (hostname.Keeper).
type HostNamer interface {
	Claim(ifname, name string) error
	Release(ifname string) error
}

// HostAddrs is told of the addresses the worker puts on the host and
// takes off it: the host address list of the conflict check.
type HostAddrs interface {
	// Settle ends the expectation of a being applied.
	Settle(a IfAddr)
	// Added and Removed report a's application or removal, and its error.
	Added(a IfAddr, err error)
	Removed(a IfAddr, err error)
}

// Effects is what a Worker acts on; DNS, HostName and Addrs may be nil
// (DNS=no, no SET_HOSTNAME, no conflict check).
type Effects struct {
	Net      Configurer
	DNS      Resolver
	HostName HostNamer
	Addrs    HostAddrs
}

// Workers are the agent's kernel workers by interface name. The zero
// value is ready.
type Workers struct{ serial.Named[Worker] }

// Of returns the kernel worker of the interface called name, made on
// first use.
func (ws *Workers) Of(fx Effects, name string, log *zap.Logger) *Worker {
	return ws.Get(name, func() *Worker {
		w := NewWorker(fx, name, log)
		// Held while it has something to take back, its actor gone or not
		// (a deleted link's DNS and host name): a new worker would not
		// know of it.
		w.keep = func(keep bool) { ws.Keep(name, w, keep) }
		return w
	})
}

// Worker makes one interface's kernel calls in order: Job (or Do) queues
// a job, and the jobs call Apply, Remove and Forget.
type Worker struct {
	serial.Queue
	fx   Effects
	name string
	log  *zap.Logger

	mu  sync.Mutex // numbers jobs in the order they are queued (Job)
	seq uint64     // the latest job's number

	// What the jobs left in the kernel; only the jobs, one at a time,
	// touch them.
	applied *AddrConfig // what Apply put on the interface
	origMTU int         // the link's MTU before APPLY_MTU, 0 if unchanged
	// keep, when set (Workers), is told whether applied is set: its
	// registry holds the worker meanwhile.
	keep func(bool)
}

// NewWorker returns the kernel worker of the interface called name
// (log nil: no log).
func NewWorker(fx Effects, name string, log *zap.Logger) *Worker {
	if log == nil {
		log = zap.NewNop()
	}
	return &Worker{fx: fx, name: name, log: log}
}

// Plan is one application of a lease, as the actor decided it: the
// worker carries it out without reading the actor's state.
type Plan struct {
	Cfg AddrConfig
	// DNS is what the resolver is told; nil takes the interface's DNS
	// back (DNS=no).
	DNS *dns.Link
	// Hostname is claimed; "" gives back a name the interface had set.
	Hostname string
	// MTU is set on the link when not 0 (APPLY_MTU).
	MTU int
	// Again: a reapplication (a new primary, SIGHUP), done only over the
	// very address applied; a lease being replaced meanwhile wins.
	Again bool
	Log   []zap.Field // describe the lease in "lease applied"
}

// Apply carries p out and returns what the kernel refused of the address
// and its routes, one error each. Only a job of the worker calls it.
func (k *Worker) Apply(p Plan) []error {
	c := p.Cfg
	if k.applied != nil && k.applied.Ifindex != c.Ifindex {
		// The link was deleted and made again: what it had went with it.
		k.setApplied(nil)
	}
	if !p.Again && k.fx.Addrs != nil {
		// After Added below: the address is never missing from the
		// conflict check's list.
		defer k.fx.Addrs.Settle(IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr})
	}
	if p.Again && (k.applied == nil || k.applied.Addr != c.Addr) {
		return nil
	}
	if k.applied != nil && k.applied.Addr != c.Addr {
		k.Remove() // a different lease replaces the old one
	}
	net := k.fx.Net
	err := net.Apply(c)
	var refused []error
	if err != nil {
		k.log.Error("applying lease failed", zap.Stringer("address", c.Addr), zap.Error(err))
		// Each refusal (one route, the address) in status too: one route
		// the kernel refuses never stops the others, and says so.
		refused = unjoin(err)
	}
	if k.fx.Addrs != nil {
		k.fx.Addrs.Added(IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}, addrErr(refused))
	}
	if k.applied != nil {
		// A renewal leaves exactly the routes its ACK names (SPEC §2).
		if err := net.Withdraw(*k.applied, c); err != nil {
			k.log.Error("removing vanished routes failed", zap.Stringer("address", c.Addr), zap.Error(err))
		}
	}
	// Remember it even when it failed part-way, so Remove takes back
	// whatever did get applied.
	k.setApplied(&c)
	k.setDNS(p.DNS)
	k.setHostname(p.Hostname)
	if p.MTU > 0 {
		k.setMTU(c.Ifindex, p.MTU)
	}
	k.log.Info("lease applied", append([]zap.Field{zap.Stringer("address", c.Addr),
		zap.Int("routes", len(c.Routes))}, p.Log...)...)
	return refused
}

// Remove takes back what Apply put on the kernel. Only a job of the
// worker calls it.
func (k *Worker) Remove() {
	if k.applied == nil {
		return
	}
	c := *k.applied
	err := k.fx.Net.Remove(c)
	if err != nil {
		k.log.Error("removing lease failed", zap.Stringer("address", c.Addr), zap.Error(err))
	} else {
		k.log.Info("lease removed", zap.Stringer("address", c.Addr))
	}
	if k.fx.Addrs != nil {
		k.fx.Addrs.Removed(IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}, err)
	}
	k.setDNS(nil)
	k.setHostname("")
	if k.origMTU != 0 {
		if err := k.fx.Net.SetMTU(c.Ifindex, k.origMTU); err != nil {
			k.log.Error("restoring MTU failed", zap.Int("mtu", k.origMTU), zap.Error(err))
		}
	}
	k.setApplied(nil)
}

// Forget ends what Apply left of a lease whose link was deleted: its
// address, routes and MTU went with the link, so it asks the kernel
// nothing (and restores no MTU), but the resolver is told to drop the
// interface's DNS, its host name is given back, the host address list
// loses the address, and the worker holds nothing any more (Workers may
// forget it). The lease record is the store's and stays (SPEC §2
// hotplug: INIT-REBOOT when the interface returns). Only a job of the
// worker calls it.
func (k *Worker) Forget() {
	if k.applied == nil {
		return
	}
	c := *k.applied
	if k.fx.Addrs != nil {
		k.fx.Addrs.Removed(IfAddr{Ifindex: c.Ifindex, Prefix: c.Addr}, nil)
	}
	k.setDNS(nil)
	k.setHostname("")
	k.setApplied(nil)
	k.log.Info("lease forgotten: its link is gone", zap.Stringer("address", c.Addr))
}

// setApplied records c as what the interface has from the worker (nil:
// nothing, the MTU given back too) and tells keep.
func (k *Worker) setApplied(c *AddrConfig) {
	if c == nil {
		k.origMTU = 0
	}
	if k.keep != nil && (k.applied == nil) != (c == nil) {
		k.keep(c != nil)
	}
	k.applied = c
}

// setMTU sets the link's MTU, remembering the one it replaces.
func (k *Worker) setMTU(ifindex, mtu int) {
	cur, err := k.fx.Net.MTU(ifindex)
	if err != nil || cur == mtu {
		return
	}
	if k.origMTU == 0 {
		k.origMTU = cur
	}
	if err := k.fx.Net.SetMTU(ifindex, mtu); err != nil {
		k.log.Error("applying MTU failed", zap.Int("mtu", mtu), zap.Error(err))
	}
}

// setDNS hands d to the resolver, or takes the interface's DNS back for
// nil; after the address.
func (k *Worker) setDNS(d *dns.Link) {
	switch {
	case k.fx.DNS == nil:
	case d == nil:
		k.fx.DNS.Clear(k.name)
	default:
		k.fx.DNS.Set(*d)
	}
}

// setHostname claims name for the interface, or gives its name back for
// "".
func (k *Worker) setHostname(name string) {
	h := k.fx.HostName
	switch {
	case h == nil:
	case name == "":
		if err := h.Release(k.name); err != nil {
			k.log.Warn("restoring the host name failed", zap.Error(err))
		}
	default:
		if err := h.Claim(k.name, name); err != nil {
			k.log.Warn("setting the host name failed", zap.Error(err))
			return
		}
		k.log.Info("host name set from the lease", zap.String("hostname", name))
	}
}

// addrErr is the address's own refusal among what Apply refused, nil
// when the kernel took the address (every refusal a RouteError): the
// host address list then has it, before Settle stops counting it as
// coming.
func addrErr(refused []error) error {
	for _, err := range refused {
		if _, ok := errors.AsType[*RouteError](err); !ok {
			return err
		}
	}
	return nil
}

// unjoin splits an errors.Join of several failures into them.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
