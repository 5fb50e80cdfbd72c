//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strconv"
)

// svLink is a further client interface of a lab: a veth pair between the
// namespaces, on a subnet of its own. Separate subnets keep the tests
// independent of how the agent treats several interfaces in one subnet:
// SPEC §2 has it refuse an offer inside a network another interface
// already has, which the agent did until commit 69bc6ce exempted networks
// that exist only through its own leases.
type svLink struct {
	Client, Server string
	Subnet         netip.Prefix // 198.18.N.0/24; the server is .1
}

func (k svLink) serverPrefix() netip.Prefix {
	return netip.PrefixFrom(k.Subnet.Addr().Next(), k.Subnet.Bits())
}

func (k svLink) pool() (first, last netip.Addr) {
	b := k.Subnet.Addr().As4()
	b[3] = 100
	first = netip.AddrFrom4(b)
	b[3] = 150
	return first, netip.AddrFrom4(b)
}

// svAddLinks adds n client interfaces eth-cli2, eth-cli3... with server
// ends eth-srv2... on 198.18.2.0/24, 198.18.3.0/24...
func (l *Lab) svAddLinks(n int) []svLink {
	l.t.Helper()
	var links []svLink
	for i := 2; i < 2+n; i++ {
		k := svLink{
			Client: fmt.Sprintf("%s%d", ClientIface, i),
			Server: fmt.Sprintf("%s%d", ServerIface, i),
			Subnet: netip.MustParsePrefix(fmt.Sprintf("198.18.%d.0/24", i)),
		}
		l.ip("link", "add", k.Client, "netns", l.ClientNS, "type", "veth", "peer", "name", k.Server, "netns", l.ServerNS)
		l.ip("-n", l.ServerNS, "addr", "add", k.serverPrefix().String(), "dev", k.Server)
		l.ip("-n", l.ServerNS, "link", "set", k.Server, "up")
		l.ip("-n", l.ClientNS, "link", "set", k.Client, "up")
		links = append(links, k)
	}
	return links
}

// svServeLinks restarts the lab's server so that it also serves links,
// each from a pool .100-.150 of its subnet, with the lab's lease time and
// options. It starts from the lab's own server arguments (dnsmasqArgs,
// keaArgs) and adds the interfaces and ranges.
func (l *Lab) svServeLinks(links []svLink) {
	l.t.Helper()
	l.StopServer()
	var args, env []string
	var ready string
	switch l.opts.Server {
	case Dnsmasq:
		args, ready = l.dnsmasqArgs(), "DHCP, IP range"
		lease := "infinite"
		if l.opts.LeaseTime != InfiniteLease {
			lease = strconv.Itoa(int(l.opts.LeaseTime.Seconds()))
		}
		for _, k := range links {
			first, last := k.pool()
			args = append(args, "--interface="+k.Server,
				"--dhcp-range="+first.String()+","+last.String()+",255.255.255.0,"+lease)
		}
	case Kea:
		args, env, ready = l.keaArgs(), l.keaEnv(), "DHCP4_STARTED"
		l.svKeaAddLinks(args[len(args)-1], links)
	}
	l.runServer(args, env, ready, "ready on every link")
}

// svKeaAddLinks adds links' interfaces and subnets to the Kea
// configuration file conf that keaArgs wrote.
func (l *Lab) svKeaAddLinks(conf string, links []svLink) {
	l.t.Helper()
	b, err := os.ReadFile(conf)
	if err != nil {
		l.t.Fatalf("kea config: %v", err)
	}
	var doc struct {
		Dhcp4 map[string]any `json:"Dhcp4"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		l.t.Fatalf("kea config: %v", err)
	}
	ic, _ := doc.Dhcp4["interfaces-config"].(map[string]any)
	ifs, _ := ic["interfaces"].([]any)
	subnets, _ := doc.Dhcp4["subnet4"].([]any)
	if ic == nil || len(ifs) == 0 || len(subnets) == 0 {
		l.t.Fatalf("kea config %s: no interfaces or subnets:\n%s", conf, b)
	}
	for i, k := range links {
		first, last := k.pool()
		ifs = append(ifs, k.Server)
		subnets = append(subnets, map[string]any{
			"id": 2 + i, "subnet": k.Subnet.String(),
			"pools":       []map[string]any{{"pool": first.String() + " - " + last.String()}},
			"option-data": []any{},
		})
	}
	ic["interfaces"] = ifs
	doc.Dhcp4["subnet4"] = subnets
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		l.t.Fatalf("kea config: %v", err)
	}
	if err := os.WriteFile(conf, out, 0o644); err != nil {
		l.t.Fatalf("kea config: %v", err)
	}
}
