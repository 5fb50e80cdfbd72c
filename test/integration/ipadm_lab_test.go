//go:build integration

package integration

// Harness of the ipadm proofs (issue 6): show-if and show-addr as JSON,
// the store's ipadm.json, and the client namespace's whole address and
// route configuration as the kernel reports it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ifRow is an element of `agentctl -o json show-if`.
type ifRow struct {
	Ifname     string `json:"ifname"`
	State      string `json:"state"`
	Current    string `json:"current"`
	Persistent string `json:"persistent"`
}

// addrRow is an element of `agentctl -o json show-addr`.
type addrRow struct {
	Addrobj    string `json:"addrobj"`
	Type       string `json:"type"`
	State      string `json:"state"`
	Current    string `json:"current"`
	Persistent string `json:"persistent"`
	Addr       string `json:"addr"`
}

// ShowIf returns `agentctl -o json show-if [args]`, decoded strictly.
func (l *Lab) ShowIf(args ...string) []ifRow {
	l.t.Helper()
	var rows []ifRow
	l.showJSON(&rows, append([]string{"show-if"}, args...))
	return rows
}

// ShowAddr returns `agentctl -o json show-addr [args]`, decoded strictly.
func (l *Lab) ShowAddr(args ...string) []addrRow {
	l.t.Helper()
	var rows []addrRow
	l.showJSON(&rows, append([]string{"show-addr"}, args...))
	return rows
}

func (l *Lab) showJSON(v any, args []string) {
	l.t.Helper()
	r := l.CtlRoot(append([]string{"-o", "json"}, args...)...)
	if r.Code != 0 {
		l.t.Fatalf("%v", r)
	}
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		l.t.Fatalf("%v: %v", r, err)
	}
}

// IPAdmFile returns the store's ipadm.json, "" when there is none.
func (l *Lab) IPAdmFile() string {
	l.t.Helper()
	b, err := os.ReadFile(filepath.Join(l.StateDir, "ipadm.json"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		l.t.Fatalf("ipadm.json: %v", err)
	}
	return string(b)
}

// ipadmStore is ipadm.json: the persistent interface and address objects.
type ipadmStore struct {
	Interfaces map[string]struct {
		Name     string   `json:"name"`
		Families []string `json:"families"`
	} `json:"interfaces"`
	Addresses map[string]struct {
		Object string `json:"object"`
		Ifname string `json:"ifname"`
		Type   string `json:"type"`
		Addr   string `json:"addr"`
	} `json:"addresses"`
}

// IPAdmStore decodes ipadm.json; a missing file is an empty store.
func (l *Lab) IPAdmStore() ipadmStore {
	l.t.Helper()
	var s ipadmStore
	if text := l.IPAdmFile(); text != "" {
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			l.t.Fatalf("ipadm.json: %v: %q", err, text)
		}
	}
	return s
}

// StoredObjects lists the interface and address objects of ipadm.json.
func (l *Lab) StoredObjects() (ifs, addrs []string) {
	l.t.Helper()
	s := l.IPAdmStore()
	for n := range s.Interfaces {
		ifs = append(ifs, n)
	}
	for n := range s.Addresses {
		addrs = append(addrs, n)
	}
	return sortStrings(ifs), sortStrings(addrs)
}

func sortStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	slices.Sort(s)
	return s
}

// KernelState is the client namespace's configuration as `ip -j` reports
// it: every link with its addresses, and the IPv4 and IPv6 routes of every
// table. Address lifetimes, which count down, are left out.
type KernelState struct {
	Addrs, Routes4, Routes6 any
}

// KernelState reads the client namespace's links, addresses and routes.
func (l *Lab) KernelState() KernelState {
	l.t.Helper()
	var k KernelState
	k.Addrs = l.ipAny("addr", "show")
	k.Routes4 = l.ipAny("-4", "route", "show", "table", "all")
	k.Routes6 = l.ipAny("-6", "route", "show", "table", "all")
	for _, link := range asList(k.Addrs) {
		for _, a := range asList(asMap(link)["addr_info"]) {
			delete(asMap(a), "valid_life_time")
			delete(asMap(a), "preferred_life_time")
		}
	}
	return k
}

func (l *Lab) ipAny(args ...string) any {
	l.t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", l.ClientNS, "-j"}, args...)...).Output()
	if err != nil {
		l.t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		l.t.Fatalf("ip %s: %v: %q", strings.Join(args, " "), err, out)
	}
	return v
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// SettleKernel makes the client namespace's configuration stable before a
// KernelState is taken: IPv6 duplicate address detection, which takes
// seconds (over ten on a loaded machine) and then adds the link-local
// address's local route, is turned off on ClientIface, and the link is
// set down and up so that its link-local address comes back at once. It
// then waits for the carrier and that address. Call it before the agent
// is given any command about ClientIface.
func (l *Lab) SettleKernel() {
	l.t.Helper()
	for _, c := range [][]string{
		{"sysctl", "-q", "-w", "net.ipv6.conf." + ClientIface + ".accept_dad=0"},
		{"sysctl", "-q", "-w", "net.ipv6.conf." + ClientIface + ".dad_transmits=0"},
		{"ip", "link", "set", ClientIface, "down"},
		{"ip", "link", "set", ClientIface, "up"},
	} {
		if _, err := l.ClientExec(c...); err != nil {
			l.t.Fatal(err)
		}
	}
	waitUntil(l.t, 10*time.Second, "the client namespace to settle", func() error {
		for _, link := range asList(l.ipAny("addr", "show", "dev", ClientIface)) {
			if state := asMap(link)["operstate"]; state != "UP" {
				return fmt.Errorf("%s is %v", ClientIface, state)
			}
			for _, a := range asList(asMap(link)["addr_info"]) {
				tentative, _ := asMap(a)["tentative"].(bool)
				if asMap(a)["scope"] == "link" && asMap(a)["family"] == "inet6" && !tentative {
					return nil
				}
			}
		}
		return fmt.Errorf("%s has no IPv6 link-local address yet", ClientIface)
	})
}

// ClientLinkUp reports whether ClientIface is administratively up.
func (l *Lab) ClientLinkUp() bool {
	l.t.Helper()
	var links []struct {
		Flags []string `json:"flags"`
	}
	l.ipJSON(&links, "link", "show", "dev", ClientIface)
	if len(links) != 1 {
		l.t.Fatalf("ip link show %s: %d links", ClientIface, len(links))
	}
	for _, f := range links[0].Flags {
		if f == "UP" {
			return true
		}
	}
	return false
}

// ClientIPv6Disabled reads net.ipv6.conf.eth-cli.disable_ipv6.
func (l *Lab) ClientIPv6Disabled() bool {
	l.t.Helper()
	out, err := l.ClientExec("cat", "/proc/sys/net/ipv6/conf/"+ClientIface+"/disable_ipv6")
	if err != nil {
		l.t.Fatal(err)
	}
	return strings.TrimSpace(out) == "1"
}
