package config

import (
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
)

var fileLine = regexp.MustCompile(`^f\.conf:[0-9]+: `)

func TestParse(t *testing.T) {
	c, err := Parse("test.conf", strings.NewReader(`
# a comment
ROUTE_METRIC = 100
eth1.ROUTE_METRIC=5
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ifname string
		want   uint64
	}{{"eth0", 100}, {"eth1", 5}} {
		if got := c.Uint(tc.ifname, "ROUTE_METRIC"); got != tc.want {
			t.Errorf("ROUTE_METRIC for %s = %d, want %d", tc.ifname, got, tc.want)
		}
	}
	for _, tc := range []struct {
		text string
		get  func(*Config) any
		want any
	}{
		{"", func(c *Config) any { return c.Duration("eth0", "SELECT_WAIT") }, time.Duration(0)},
		{"", func(c *Config) any { return c.Duration("eth0", "OFFER_WAIT") }, time.Duration(0)},
		{"OFFER_WAIT=3", func(c *Config) any { return c.Duration("eth0", "OFFER_WAIT") }, 3 * time.Second},
		{"SELECT_WAIT=0.5", func(c *Config) any { return c.Duration("eth0", "SELECT_WAIT") }, 500 * time.Millisecond},
		{"", func(c *Config) any { return c.Bool("eth0", "ARP_PROBE") }, true},
		{"ARP_PROBE=no", func(c *Config) any { return c.Bool("eth0", "ARP_PROBE") }, false},
		{"PARAM_REQUEST_LIST=1,router, 121", func(c *Config) any { return len(c.Options("eth0", "PARAM_REQUEST_LIST")) }, 3},
		{"CLIENT_ID=duid", func(c *Config) any { return c.Get("eth0", "CLIENT_ID") }, "duid"},
	} {
		c, err := Parse("t.conf", strings.NewReader(tc.text))
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if got := tc.get(c); got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
		}
	}
	empty, err := Parse("empty", strings.NewReader("# nothing\n\n"))
	if err != nil || empty.Uint("eth0", "ROUTE_METRIC") != 0 {
		t.Fatalf("empty config: %v, metric %d", err, empty.Uint("eth0", "ROUTE_METRIC"))
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"BOGUS=1", "test.conf:1: unknown key BOGUS"},
		{"\nROUTE_METRIC=-1", "test.conf:2: ROUTE_METRIC=-1: want a number"},
		{"ROUTE_METRIC", "test.conf:1: want KEY=VALUE"},
		{".ROUTE_METRIC=1", "test.conf:1: bad interface name"},
		{"eth0.NOPE=1", "test.conf:1: unknown key NOPE"},
		{"SELECT_WAIT=soon", "test.conf:1: SELECT_WAIT=soon: want seconds"},
		{"ARP_PROBE=maybe", "test.conf:1: ARP_PROBE=maybe: want yes or no"},
		{"PARAM_REQUEST_LIST=1,bogus", "test.conf:1: PARAM_REQUEST_LIST=1,bogus: unknown option"},
		{"CLIENT_ID=0xzz", "test.conf:1: CLIENT_ID=0xzz: CLIENT_ID"},
		// Interface names the kernel would never give a link (dev_valid_name).
		{"abcdefghijklmnop.ROUTE_METRIC=1", "test.conf:1: bad interface name"},
		{"eth0/x.ROUTE_METRIC=1", "test.conf:1: bad interface name"},
		{"eth 0.ROUTE_METRIC=1", "test.conf:1: bad interface name"},
		{"eth0:1.ROUTE_METRIC=1", "test.conf:1: bad interface name"},
		{"\n\n..ROUTE_METRIC=1", "test.conf:3: bad interface name"},
		{"...ROUTE_METRIC=1", "test.conf:1: bad interface name"},
		// bufio.Scanner's ErrTooLong, with the line it happened on.
		{"ARP_PROBE=no\nHOSTNAME=" + strings.Repeat("a", MaxLine), "test.conf:2: line longer than 65536 bytes"},
	} {
		_, err := Parse("test.conf", strings.NewReader(tc.text))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q...", tc.text, err, tc.want)
		}
	}
}

func TestParseReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("ARP_PROBE=no\nROUTE_METRIC=1\n"), iotest.ErrReader(errors.New("disk on fire")))
	_, err := Parse("test.conf", r)
	if err == nil || err.Error() != "test.conf:3: disk on fire" {
		t.Fatalf("Parse = %v, want test.conf:3: disk on fire", err)
	}
}

// A line of exactly MaxLine bytes is read; a VLAN's name keeps its dot.
func TestParseLongLineAndVLAN(t *testing.T) {
	line := "eth0.100.CLASS_ID=" + strings.Repeat("a", 255)
	text := "#" + strings.Repeat("x", MaxLine-1) + "\n" + line + "\n"
	c, err := Parse("t.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Get("eth0.100", "CLASS_ID"); len(got) != 255 {
		t.Fatalf("eth0.100 CLASS_ID has %d bytes, want 255", len(got))
	}
	if got := c.Get("eth0", "CLASS_ID"); got != "" {
		t.Fatalf("eth0 CLASS_ID = %q, want the default", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	c, err := Load(t.TempDir() + "/absent.conf")
	if err != nil || c.Uint("eth0", "ROUTE_METRIC") != 0 {
		t.Fatalf("Load(missing) = %v, %v; want defaults", c, err)
	}
}

// FuzzParse: any input either parses, and then every known key reads back
// a value its validator accepts, or fails with an error naming the file.
func FuzzParse(f *testing.F) {
	f.Add("ROUTE_METRIC=1\neth0.ROUTE_METRIC=2\n# c\n")
	f.Add("x")
	f.Add("eth0.100.ROUTE_METRIC=3\n..ARP_PROBE=no\n")
	f.Add("eth0:1.ARP_PROBE=no")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse("f.conf", strings.NewReader(text))
		if err != nil {
			if !fileLine.MatchString(err.Error()) {
				t.Fatalf("error %q does not name file:line", err)
			}
			return
		}
		for ifname := range c.iface {
			if err := ipadm.CheckIfname(ifname); err != nil {
				t.Fatalf("accepted an override for %q: %v", ifname, err)
			}
		}
		for k, spec := range keys {
			if err := spec.check(c.Get("eth0", k)); err != nil {
				t.Fatalf("%s reads back invalid: %v", k, err)
			}
		}
	})
}
