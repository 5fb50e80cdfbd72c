package dns

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// systemd-resolved's D-Bus interface (org.freedesktop.resolve1(5)).
const (
	ResolvedName = "org.freedesktop.resolve1"
	ResolvedPath = dbus.ObjectPath("/org/freedesktop/resolve1")
	resolvedMgr  = "org.freedesktop.resolve1.Manager"
)

// DefaultTimeout bounds one D-Bus exchange, the connection it may have to
// open included: the backend runs on the DNS Manager's one worker, so a
// bus that never answers would otherwise hold every interface's DNS.
const DefaultTimeout = 10 * time.Second

// Dial opens a connection to a bus with opts: dbus.ConnectSystemBus (which
// honours DBUS_SYSTEM_BUS_ADDRESS), or dbus.Connect to an address. It must
// pass opts on: the backend bounds the connection's setup with one
// (dbus.WithContext).
type Dial func(opts ...dbus.ConnOption) (*dbus.Conn, error)

// Resolved gives each interface's DNS to systemd-resolved as per-link
// settings over D-Bus (DNS=resolved). The connection is opened on first
// use and again after it fails.
type Resolved struct {
	// Dial opens the bus; nil means the system bus.
	Dial Dial
	// Timeout bounds each call, connecting included (0: DefaultTimeout).
	Timeout time.Duration

	mu   sync.Mutex
	conn *dbus.Conn
}

// resolvedAddr is SetLinkDNS's a(iay): address family and bytes.
type resolvedAddr struct {
	Family  int32
	Address []byte
}

// resolvedDomain is SetLinkDomains's a(sb): the domain and whether it is
// for routing only (ours are search domains).
type resolvedDomain struct {
	Domain      string
	RoutingOnly bool
}

// Set calls SetLinkDNS and SetLinkDomains for l's link.
func (r *Resolved) Set(_ []Link, l Link) error {
	addrs := make([]resolvedAddr, 0, len(l.Servers))
	for _, a := range l.Servers {
		addrs = append(addrs, resolvedAddr{Family: unix.AF_INET, Address: a.AsSlice()})
	}
	domains := make([]resolvedDomain, 0, len(l.Domains))
	for _, d := range l.Domains {
		domains = append(domains, resolvedDomain{Domain: d})
	}
	if err := r.call("SetLinkDNS", int32(l.Index), addrs); err != nil {
		return err
	}
	return r.call("SetLinkDomains", int32(l.Index), domains)
}

// Revert calls RevertLink: the link's DNS settings go back to none.
func (r *Resolved) Revert(_ []Link, l Link) error {
	return r.call("RevertLink", int32(l.Index))
}

func (r *Resolved) call(method string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeoutOr(r.Timeout))
	defer cancel()
	conn, err := r.connect(ctx)
	if err != nil {
		return fmt.Errorf("resolved %s: %w", method, err)
	}
	call := conn.Object(ResolvedName, ResolvedPath).CallWithContext(ctx, resolvedMgr+"."+method, 0, args...)
	if call.Err != nil {
		if _, remote := call.Err.(dbus.Error); !remote {
			r.reset(conn) // the connection broke or hung: the next call dials again
		}
		return fmt.Errorf("resolved %s: %w", method, call.Err)
	}
	return nil
}

func (r *Resolved) connect(ctx context.Context) (*dbus.Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != nil && r.conn.Connected() {
		return r.conn, nil
	}
	conn, err := connect(ctx, r.Dial)
	if err != nil {
		return nil, err
	}
	r.conn = conn
	return conn, nil
}

func (r *Resolved) reset(conn *dbus.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn == conn {
		conn.Close()
		r.conn = nil
	}
}

// HasOwner reports whether name has an owner on the bus dial opens (nil:
// the system bus), asking for at most timeout (0: DefaultTimeout).
func HasOwner(dial Dial, timeout time.Duration, name string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeoutOr(timeout))
	defer cancel()
	conn, err := connect(ctx, dial)
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
	return err == nil && has
}

func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

// connect opens a connection with dial (nil: the system bus) and gives up
// when ctx is done first. godbus's Connect authenticates and says Hello
// with no deadline of its own, so a bus that accepts and never answers
// would hold it for ever: the connection's own context (dbus.WithContext),
// cancelled when ctx ends before the connection is ready, closes its
// socket, which ends every read it waits on. Once ready, the connection
// outlives ctx.
func connect(ctx context.Context, dial Dial) (*dbus.Conn, error) {
	if dial == nil {
		dial = dbus.ConnectSystemBus
	}
	life, kill := context.WithCancel(context.Background())
	stop := context.AfterFunc(ctx, kill)
	conn, err := dial(dbus.WithContext(life))
	if !stop() { // ctx ended: kill has run or runs now
		if conn != nil {
			conn.Close()
		}
		return nil, fmt.Errorf("connect to D-Bus: %w", ctx.Err())
	}
	if err != nil {
		kill()
		return nil, fmt.Errorf("connect to D-Bus: %w", err)
	}
	return conn, nil
}
