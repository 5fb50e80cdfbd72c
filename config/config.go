// Package config reads the agent's configuration file (SPEC §6):
// KEY=VALUE lines, IFNAME.KEY=VALUE overrides for one interface, and #
// comments. An unknown key or a bad value is an error naming file:line, so
// a typo never passes silently. Lease reads the keys of one interface into
// the lease machine's configuration.
package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dhcpagent/dhcpagent/fstrust"
	"github.com/dhcpagent/dhcpagent/ipadm"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/regfile"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Config is a parsed configuration file.
type Config struct {
	global map[string]string
	iface  map[string]map[string]string
}

// keys maps each known key (SPEC §6) to its validator and default.
var keys = map[string]struct {
	check func(string) error
	def   string
}{
	// SELECT_WAIT, OFFER_WAIT: 0, an explicit start binds at once and the
	// first acceptable offer wins (SPEC §2), as dhcpcd, networkd and udhcpc.
	"SELECT_WAIT":         {checkSeconds, "0"},
	"OFFER_WAIT":          {checkSeconds, "0"},
	"RELEASE_ON_SIGTERM":  {checkBool, "no"},
	"VERIFIED_LEASE_ONLY": {checkBool, "no"},
	"CLIENT_ID":           {checkClientID, ""},
	"CLASS_ID":            {checkText, ""},
	"PARAM_REQUEST_LIST":  {checkOptions, ""},
	"PARAM_IGNORE_LIST":   {checkOptions, ""},
	"REQUEST_HOSTNAME":    {checkBool, "no"},
	"HOSTNAME":            {checkText, ""},
	"RAPID_COMMIT":        {checkBool, "no"},
	"ARP_PROBE":           {checkBool, "yes"},
	"APPLY_MTU":           {checkBool, "no"},
	"IPV6_ONLY_PREFERRED": {checkBool, "no"},
	// ROUTE_METRIC unset: 1000 + ifindex, or the primary's own (SPEC §2).
	"ROUTE_METRIC": {optional(checkUint32), ""},
	"ROUTE_TABLE":  {checkTable, ""},
	// DNS, RESOLV_CONF: where the interfaces' DNS goes (SPEC §2); the
	// mechanism is chosen at start-up from the global value, and
	// IFNAME.DNS=no keeps one interface's DNS out.
	"DNS":         {checkDNS, "auto"},
	"RESOLV_CONF": {checkPath, "/etc/resolv.conf"},
	// SET_HOSTNAME: the kernel host name from the primary's option 12.
	"SET_HOSTNAME": {checkBool, "no"},
	// ADMIN_GROUP names a group whose members may give every command.
	"ADMIN_GROUP": {checkText, ""},
}

func checkUint32(v string) error {
	_, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return errors.New("want a number from 0 to 4294967295")
	}
	return nil
}

func checkDNS(v string) error {
	switch v {
	case "auto", "resolved", "resolvconf", "file", "no":
		return nil
	}
	return errors.New("want auto, resolved, resolvconf, file or no")
}

func checkPath(v string) error {
	if !strings.HasPrefix(v, "/") || len(v) > 4096 || strings.ContainsAny(v, "\x00\n") {
		return errors.New("want an absolute path")
	}
	return nil
}

// optional accepts an empty value (the key unset) besides what check does.
func optional(check func(string) error) func(string) error {
	return func(v string) error {
		if v == "" {
			return nil
		}
		return check(v)
	}
}

// checkTable accepts a routing table for ROUTE_TABLE: auto, no, or a
// number other than 0 and the kernel's own tables (253 default, 254 main,
// 255 local), whose routes and rules are not the agent's to own.
func checkTable(v string) error {
	if v == "" || v == "auto" || v == "no" {
		return nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 || (n >= 253 && n <= 255) {
		return errors.New("want auto, no, nothing, or a table number other than 0, 253, 254 and 255")
	}
	return nil
}

func checkSeconds(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 3600 || math.IsNaN(f) {
		return errors.New("want seconds from 0 to 3600")
	}
	return nil
}

func checkBool(v string) error {
	if _, ok := bools[strings.ToLower(v)]; !ok {
		return errors.New("want yes or no")
	}
	return nil
}

var bools = map[string]bool{"yes": true, "true": true, "1": true, "no": false, "false": false, "0": false}

func checkText(v string) error {
	if len(v) > 255 {
		return errors.New("longer than 255 bytes")
	}
	for _, r := range v {
		if r < ' ' || r == 0x7f {
			return errors.New("control characters are not allowed")
		}
	}
	return nil
}

func checkClientID(v string) error {
	if err := checkText(v); err != nil {
		return err
	}
	_, err := lease.ClientID(v, net.HardwareAddr{0, 0, 0, 0, 0, 0}, 0, []byte{0, 4})
	return err
}

func checkOptions(v string) error {
	_, err := lease.OptionCodes(v)
	return err
}

// MaxSize is the largest configuration file Load reads. A real one is a
// few KiB (dist/dhcpagent.conf: 2 KiB); every one of the 20 keys
// overridden for each of a thousand interfaces, at 60 bytes a line, is
// 1.2 MB. A larger regular file is not a configuration (a log or an image
// named by mistake): reading it would cost the time and memory of its
// size at every SIGHUP, the parsed table growing with each interface
// name. 4 MiB parses in well under a second.
const MaxSize = 4 << 20

// Load reads the file at path. A missing file is an empty configuration:
// every key has its default. Load reads only a regular file of at most
// MaxSize bytes, reached through symbolic links (an operator's link is
// normal: docs/config.md); anything else is refused at once with an error
// naming path (regfile.Read): a FIFO (whose open or read would wait for a
// writer for ever), a device (/dev/zero never ends), a directory, a socket.
//
// The file decides what root does (RESOLV_CONF names a file root rewrites,
// ADMIN_GROUP who may give every command), so, as sshd's StrictModes and
// the event hook (docs/config.md), Load refuses one another user could
// have written: owned by another user than root or the agent's, writable
// by group or others, or reached through a directory others may write
// (sticky ones aside: /tmp) or a symbolic link another user owns
// (fstrust.Walk). The refusal wraps fstrust.ErrUntrusted. The null device
// is still taken (world-writable, but nothing written to it is read).
func Load(path string) (*Config, error) {
	if err := trusted(path); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return LoadUntrusted(path)
}

// LoadUntrusted is Load without the check of who could have written the
// file: the explicit opt-out (agent --insecure-config), for a file the
// operator knows is safe where the rule cannot see it (a container whose
// /etc belongs to another uid).
func LoadUntrusted(path string) (*Config, error) {
	b, err := regfile.Read(path, MaxSize)
	if errors.Is(err, os.ErrNotExist) {
		return Parse(path, strings.NewReader(""))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, bytes.NewReader(b))
}

// trusted refuses a file at path another user could have written. A
// missing one is no refusal: nothing is read (another user creating it
// later is refused at the next Load). What is not a regular file is left
// to regfile.Read, which refuses it saying what it is, or takes the null
// device (world-writable, but nothing written to it is ever read).
func trusted(path string) error {
	_, fi, err := fstrust.Walk(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return nil
	}
	return fstrust.File(fi)
}

// MaxLine is the longest line Parse reads; a longer one is an error naming
// its file:line rather than a bare bufio.ErrTooLong.
const MaxLine = 64 << 10

// Parse reads a configuration from r; name is used in error messages, each
// of which starts with name:line (name alone only when r cannot be read at
// all before the first line).
func Parse(name string, r io.Reader) (*Config, error) {
	c := &Config{global: map[string]string{}, iface: map[string]map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLine+1) // the line and its newline
	n := 1
	for ; sc.Scan(); n++ {
		if err := c.parseLine(sc.Text()); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, n, MaxLine)
	case err != nil:
		return nil, fmt.Errorf("%s:%d: %w", name, n, err)
	}
	return c, nil
}

// parseLine applies one line. A per-interface key is IFNAME.KEY: keys have
// no dot, so the last dot splits them and a VLAN's name (eth0.100) keeps
// its own; the name must be one the kernel could give a link.
func (c *Config) parseLine(line string) error {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return nil
	}
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return fmt.Errorf("want KEY=VALUE, got %q", line)
	}
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	target := c.global
	if dot := strings.LastIndexByte(k, '.'); dot >= 0 {
		ifname := k[:dot]
		if err := ipadm.CheckIfname(ifname); err != nil {
			return fmt.Errorf("bad interface name in %s: %v", k, err)
		}
		if c.iface[ifname] == nil {
			c.iface[ifname] = map[string]string{}
		}
		target, k = c.iface[ifname], k[dot+1:]
	}
	spec, known := keys[k]
	if !known {
		return fmt.Errorf("unknown key %s", k)
	}
	if err := spec.check(v); err != nil {
		return fmt.Errorf("%s=%s: %v", k, v, err)
	}
	target[k] = v
	return nil
}

// Get returns key's value for ifname: its override, else the global value,
// else the default. It panics on a key the package does not know, which is
// a programming error.
func (c *Config) Get(ifname, key string) string {
	spec, ok := keys[key]
	if !ok {
		panic("config: unknown key " + key)
	}
	if v, ok := c.iface[ifname][key]; ok {
		return v
	}
	if v, ok := c.global[key]; ok {
		return v
	}
	return spec.def
}

// Uint returns a numeric key's value.
func (c *Config) Uint(ifname, key string) uint64 {
	v, _ := strconv.ParseUint(c.Get(ifname, key), 10, 64)
	return v
}

// Duration returns a key given in seconds.
func (c *Config) Duration(ifname, key string) time.Duration {
	f, _ := strconv.ParseFloat(c.Get(ifname, key), 64)
	return time.Duration(f * float64(time.Second))
}

// Bool returns a yes/no key's value.
func (c *Config) Bool(ifname, key string) bool {
	return bools[strings.ToLower(c.Get(ifname, key))]
}

// Options returns an option-list key's codes.
func (c *Config) Options(ifname, key string) []dhcpv4.OptionCode {
	codes, _ := lease.OptionCodes(c.Get(ifname, key))
	return codes
}
