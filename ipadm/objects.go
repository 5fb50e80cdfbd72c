package ipadm

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Families of an interface object.
const (
	V4 = "v4"
	V6 = "v6"
)

// ParseFamilies reads -f: "v4", "v6", or both comma-separated; empty is
// both.
func ParseFamilies(s string) ([]string, error) {
	if s == "" {
		return []string{V4, V6}, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		switch f = strings.TrimSpace(f); f {
		case V4, V6:
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		default:
			return nil, fmt.Errorf("%w: family %q: want v4 or v6", ErrInvalidName, f)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Interface is an interface object.
type Interface struct {
	Name     string   `json:"name"`
	Families []string `json:"families"`
}

// Has reports whether the interface has family f.
func (i *Interface) Has(f string) bool { return slices.Contains(i.Families, f) }

// Address types.
const (
	Static = "static"
	DHCP   = "dhcp"
)

// Address is an address object.
type Address struct {
	// Object is IF/NAME.
	Object string `json:"object"`
	Ifname string `json:"ifname"`
	Type   string `json:"type"`
	// Addr is a static object's address.
	Addr netip.Prefix `json:"addr,omitzero"`
	// WaitMs, Hostname and Primary are a DHCP object's options: how long
	// create-addr waits for the lease (-1 forever), the host name to ask
	// for, and whether it is the primary interface.
	WaitMs   int64  `json:"wait_ms,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	Primary  bool   `json:"primary,omitempty"`
}

// Config is the persistent configuration: like illumos ipadm.conf.
type Config struct {
	Interfaces map[string]Interface `json:"interfaces"`
	Addresses  map[string]Address   `json:"addresses"`
}

// NewConfig returns an empty configuration.
func NewConfig() *Config {
	return &Config{Interfaces: map[string]Interface{}, Addresses: map[string]Address{}}
}

// Validate checks a configuration read from outside.
func (c *Config) Validate() error {
	for name, i := range c.Interfaces {
		if err := CheckIfname(name); err != nil || i.Name != name {
			return fmt.Errorf("interface %q: bad name", name)
		}
		if _, err := ParseFamilies(strings.Join(i.Families, ",")); err != nil || len(i.Families) == 0 {
			return fmt.Errorf("interface %s: bad families %v", name, i.Families)
		}
	}
	for obj, a := range c.Addresses {
		ifname, _, err := ParseAddrObj(obj)
		if err != nil || a.Object != obj || a.Ifname != ifname {
			return fmt.Errorf("address object %q: bad name", obj)
		}
		switch {
		case a.Type == Static && (!a.Addr.IsValid() || !a.Addr.Addr().Is4() && !a.Addr.Addr().Is6()):
			return fmt.Errorf("address object %s: bad address", obj)
		case a.Type != Static && a.Type != DHCP:
			return fmt.Errorf("address object %s: bad type %q", obj, a.Type)
		}
		if _, ok := c.Interfaces[ifname]; !ok {
			return fmt.Errorf("address object %s: no interface %s", obj, ifname)
		}
	}
	return nil
}

// StartsDHCP reports whether replaying the configuration starts DHCP on
// ifname: the interface is in it with a DHCP address object. At boot
// that object, not the interface's lease record, brings the interface up,
// with its host name and primary flag: one owner, one start.
func (c *Config) StartsDHCP(ifname string) bool {
	if _, ok := c.Interfaces[ifname]; !ok {
		return false
	}
	for _, a := range c.Addresses {
		if a.Ifname == ifname && a.Type == DHCP {
			return true
		}
	}
	return false
}

// AddressesOf returns the address objects of interface ifname, by name.
func (c *Config) AddressesOf(ifname string) []Address {
	var out []Address
	for _, a := range c.Addresses {
		if a.Ifname == ifname {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Address) int { return strings.Compare(a.Object, b.Object) })
	return out
}
