package actors

import (
	"net"
	"sync/atomic"

	"github.com/dhcpagent/dhcpagent/clock"
	"github.com/dhcpagent/dhcpagent/config"
	"github.com/dhcpagent/dhcpagent/hook"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/store"
	"github.com/dhcpagent/dhcpagent/transport"
	"go.uber.org/zap"
)

// Env is what the actors need from the world, as small interfaces so tests
// can substitute fakes (transport/transporttest, kernel/kerneltest).
type Env struct {
	Clock  clock.Clock
	Sender transport.Sender
	Router transport.Router
	ARP    transport.ARPWatcher
	Net    Configurer
	Links  Links
	// Admin configures links for create-if and friends; may be nil (tests
	// without interface administration).
	Admin LinkAdmin
	Log   *zap.Logger
	// DUID is the host's DHCP unique identifier, for CLIENT_ID=duid.
	DUID []byte
	// Events receives state changes and hook events for watch; may be nil.
	Events *ipc.Bus
	// Store keeps leases and the managed interfaces; may be nil (tests).
	Store Store
	// DNS receives the interfaces' name servers and search domains
	// (SPEC §2 DNS=); nil for DNS=no and in tests without it.
	DNS kernel.Resolver
	// HostName sets the kernel host name for SET_HOSTNAME; may be nil.
	HostName kernel.HostNamer
	// Hooks runs the event hook; may be nil.
	Hooks hook.Starter
	// TestHooks enables commands that exist only for tests (debug-panic).
	TestHooks bool
	// Config is the configuration file's content; SIGHUP replaces it.
	Config atomic.Pointer[config.Config]
	// IAID returns the interface's IAID (RFC 4361), kept stable by the
	// store (StoredIAID); nil derives it from the hardware address.
	IAID func(Link) uint32
	// HostAddrs is the host's address list for the conflict check, read
	// from memory inside Receive; the agent keeps it current from the
	// kernel's address events (agent/addrwatch_linux.go), the tests from
	// the fake kernel (kerneltest.Kernel.Feed). The zero value is empty.
	HostAddrs kernel.AddrTable

	// What follows is state the actors share, not a dependency: the
	// zero value is ready.

	// gens numbers timer armings and hook runs across every actor and
	// incarnation, so that a message of a dead incarnation can never
	// match a live one's.
	gens clock.Gens
	// records write each interface's records off the actors (store.Recorder),
	// kernels make their kernel calls (kernel.Worker).
	records store.Recorders
	kernels kernel.Workers
	// primary is the manager's primary interface (nil: none yet), which
	// a host record naming an interface no longer primary is set back
	// to (setPrimary): the interfaces' records are written on queues of
	// their own, so an old primary's may land after its successor's.
	primary atomic.Pointer[string]
}

// primaryName is the manager's primary interface, "" for none.
func (e *Env) primaryName() string {
	if p := e.primary.Load(); p != nil {
		return *p
	}
	return ""
}

// Cfg returns the configuration in force.
func (e *Env) Cfg() *config.Config { return e.Config.Load() }

// Configurer applies leases to the kernel and reads what it has; package
// kernel defines it, with the real one and (kerneltest) the fake.
type Configurer = kernel.Configurer

// LinkAdmin configures links for interface administration (SPEC §4).
type LinkAdmin = kernel.LinkAdmin

// Link is what the agent needs to know of a network interface.
type Link struct {
	Name   string
	Index  int
	HWAddr net.HardwareAddr
	MTU    int
}

// Links looks interfaces up by name.
type Links interface {
	ByName(name string) (Link, error)
}

// Store is the persistent state the actors read and write.
type Store interface {
	LoadLease(ifname string) (*store.Lease, error)
	SaveLease(*store.Lease) error
	DeleteLease(ifname string) error
	LoadHost() (*store.Host, error)
	UpdateHost(func(*store.Host)) error
	Interface(ifname string) (store.Interface, error)
	UpdateInterface(ifname string, f func(*store.Interface)) error
	Managed() ([]string, error)
	LoadIPAdm() (*ipadm.Config, error)
	SaveIPAdm(*ipadm.Config) error
	// Problems are the state dir's problems concerning ifname, from
	// memory (status shows them).
	Problems(ifname string) []store.Problem
}
