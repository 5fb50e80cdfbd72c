//go:build integration

package integration

import (
	"encoding/json"
	"math"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"time"
)

// ClientMAC returns the hardware address of ClientIface.
func (l *Lab) ClientMAC() net.HardwareAddr {
	l.t.Helper()
	link := l.clientLink()
	mac, err := net.ParseMAC(link.Address)
	if err != nil {
		l.t.Fatalf("ip link show %s: %v", ClientIface, err)
	}
	return mac
}

// ClientMTU returns the MTU of ClientIface.
func (l *Lab) ClientMTU() int {
	l.t.Helper()
	return l.clientLink().MTU
}

type ipLink struct {
	Address string `json:"address"`
	MTU     int    `json:"mtu"`
}

func (l *Lab) clientLink() ipLink {
	l.t.Helper()
	var links []ipLink
	l.ipJSON(&links, "link", "show", "dev", ClientIface)
	if len(links) != 1 {
		l.t.Fatalf("ip link show %s: %d links", ClientIface, len(links))
	}
	return links[0]
}

// Addr is an IPv4 address on ClientIface as the kernel reports it.
type Addr struct {
	Prefix       netip.Prefix
	ValidLft     time.Duration // Forever if permanent
	PreferredLft time.Duration // Forever if permanent
	Dynamic      bool
}

// ClientAddrs returns the IPv4 addresses on ClientIface.
func (l *Lab) ClientAddrs() []Addr {
	l.t.Helper()
	var links []struct {
		AddrInfo []struct {
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
			Dynamic   bool   `json:"dynamic"`
			Valid     uint32 `json:"valid_life_time"`
			Preferred uint32 `json:"preferred_life_time"`
		} `json:"addr_info"`
	}
	l.ipJSON(&links, "-4", "addr", "show", "dev", ClientIface)
	var addrs []Addr
	for _, link := range links {
		for _, a := range link.AddrInfo {
			ip, err := netip.ParseAddr(a.Local)
			if err != nil {
				l.t.Fatalf("ip addr show: %v", err)
			}
			addrs = append(addrs, Addr{
				Prefix:       netip.PrefixFrom(ip, a.PrefixLen),
				ValidLft:     lifetime(a.Valid),
				PreferredLft: lifetime(a.Preferred),
				Dynamic:      a.Dynamic,
			})
		}
	}
	return addrs
}

// ClientHasAddr reports whether ClientIface holds addr (any prefix length).
func (l *Lab) ClientHasAddr(addr netip.Addr) bool {
	l.t.Helper()
	for _, a := range l.ClientAddrs() {
		if a.Prefix.Addr() == addr {
			return true
		}
	}
	return false
}

func lifetime(s uint32) time.Duration {
	if s == math.MaxUint32 {
		return Forever
	}
	return time.Duration(s) * time.Second
}

// Route is an IPv4 route via ClientIface. Gateway is invalid for on-link routes.
type Route struct {
	Dst      netip.Prefix
	Gateway  netip.Addr
	Protocol string
	Metric   int
}

// ClientRoutes returns the IPv4 routes (main table) via ClientIface.
func (l *Lab) ClientRoutes() []Route {
	l.t.Helper()
	return l.routes("dev", ClientIface)
}

// routes returns the IPv4 routes `ip route show ARGS` lists.
func (l *Lab) routes(args ...string) []Route {
	l.t.Helper()
	var raw []struct {
		Dst      string `json:"dst"`
		Gateway  string `json:"gateway"`
		Protocol string `json:"protocol"`
		Metric   int    `json:"metric"`
	}
	l.ipJSON(&raw, append([]string{"-4", "route", "show"}, args...)...)
	var routes []Route
	for _, r := range raw {
		dst := r.Dst
		switch {
		case dst == "default":
			dst = "0.0.0.0/0"
		case !strings.Contains(dst, "/"):
			dst += "/32"
		}
		rt := Route{Protocol: r.Protocol, Metric: r.Metric}
		if rt.Protocol == "" {
			rt.Protocol = "boot" // ip -j omits the default protocol
		}
		var err error
		if rt.Dst, err = netip.ParsePrefix(dst); err != nil {
			l.t.Fatalf("ip route show: %v", err)
		}
		if r.Gateway != "" {
			if rt.Gateway, err = netip.ParseAddr(r.Gateway); err != nil {
				l.t.Fatalf("ip route show: %v", err)
			}
		}
		routes = append(routes, rt)
	}
	return routes
}

func (l *Lab) ipJSON(v any, args ...string) {
	l.t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", l.ClientNS, "-j"}, args...)...).Output()
	if err != nil {
		l.t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		l.t.Fatalf("ip %s: %v: %q", strings.Join(args, " "), err, out)
	}
}
