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
	callTimeout  = 10 * time.Second
)

// Resolved gives each interface's DNS to systemd-resolved as per-link
// settings over D-Bus (DNS=resolved). The connection is opened on first
// use and again after it fails.
type Resolved struct {
	// Dial opens the bus; nil means the system bus (which honours
	// DBUS_SYSTEM_BUS_ADDRESS).
	Dial func() (*dbus.Conn, error)

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
	conn, err := r.connect()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	call := conn.Object(ResolvedName, ResolvedPath).CallWithContext(ctx, resolvedMgr+"."+method, 0, args...)
	if call.Err != nil {
		if _, remote := call.Err.(dbus.Error); !remote {
			r.reset(conn) // the connection broke: the next call dials again
		}
		return fmt.Errorf("resolved %s: %w", method, call.Err)
	}
	return nil
}

func (r *Resolved) connect() (*dbus.Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != nil && r.conn.Connected() {
		return r.conn, nil
	}
	dial := r.Dial
	if dial == nil {
		dial = systemBus
	}
	conn, err := dial()
	if err != nil {
		return nil, fmt.Errorf("connect to D-Bus: %w", err)
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

// HasOwner reports whether name has an owner on the bus dial opens.
func HasOwner(dial func() (*dbus.Conn, error), name string) bool {
	if dial == nil {
		dial = systemBus
	}
	conn, err := dial()
	if err != nil {
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
	return err == nil && has
}

// systemBus connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS, else the
// well-known socket).
func systemBus() (*dbus.Conn, error) { return dbus.ConnectSystemBus() }
