// Package config reads the agent's configuration file (SPEC §6):
// KEY=VALUE lines, IFNAME.KEY=VALUE overrides for one interface, and #
// comments. An unknown key or a bad value is an error naming file:line, so
// a typo never passes silently.
//
// Only the keys of features the agent implements are known; a key of the
// SPEC that is not yet implemented is rejected as unknown rather than
// accepted and ignored.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Config is a parsed configuration file.
type Config struct {
	global map[string]string
	iface  map[string]map[string]string
}

// keys maps each known key to its validator and default.
var keys = map[string]struct {
	check func(string) error
	def   string
}{
	// ROUTE_METRIC is the metric of the routes a lease installs.
	"ROUTE_METRIC": {checkUint32, "0"},
}

func checkUint32(v string) error {
	_, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return errors.New("want a number from 0 to 4294967295")
	}
	return nil
}

// Load reads the file at path. A missing file is an empty configuration:
// every key has its default.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Parse(path, strings.NewReader(""))
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads a configuration from r; name is used in error messages.
func Parse(name string, r io.Reader) (*Config, error) {
	c := &Config{global: map[string]string{}, iface: map[string]map[string]string{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE, got %q", name, n, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		target := c.global
		if ifname, key, scoped := strings.Cut(k, "."); scoped {
			if ifname == "" || len(ifname) > 15 {
				return nil, fmt.Errorf("%s:%d: bad interface name %q", name, n, ifname)
			}
			if c.iface[ifname] == nil {
				c.iface[ifname] = map[string]string{}
			}
			target, k = c.iface[ifname], key
		}
		spec, known := keys[k]
		if !known {
			return nil, fmt.Errorf("%s:%d: unknown key %s", name, n, k)
		}
		if err := spec.check(v); err != nil {
			return nil, fmt.Errorf("%s:%d: %s=%s: %v", name, n, k, v, err)
		}
		target[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
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
