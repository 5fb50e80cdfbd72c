//go:build integration

package integration

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ServerLease is a lease the server holds. Expires is zero for an infinite
// lease; leases past Expires that the server has not yet reclaimed are kept.
type ServerLease struct {
	IP       netip.Addr
	MAC      net.HardwareAddr
	ClientID string // as the server writes it; may be empty
	Expires  time.Time
}

// ServerLeases returns the server's live leases, sorted by IP.
func (l *Lab) ServerLeases() []ServerLease {
	l.t.Helper()
	data, err := os.ReadFile(l.leaseFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.t.Fatalf("server leases: %v", err)
	}
	var leases []ServerLease
	if l.opts.Server == Kea {
		leases, err = parseKeaLeases(data)
	} else {
		leases, err = parseDnsmasqLeases(data)
	}
	if err != nil {
		l.t.Fatalf("server leases %s: %v", l.leaseFile, err)
	}
	slices.SortFunc(leases, func(a, b ServerLease) int { return a.IP.Compare(b.IP) })
	return leases
}

// ServerLease returns the server's live lease of addr, if it has one.
func (l *Lab) ServerLease(addr netip.Addr) (ServerLease, bool) {
	l.t.Helper()
	for _, lease := range l.ServerLeases() {
		if lease.IP == addr {
			return lease, true
		}
	}
	return ServerLease{}, false
}

// ServerDeclined returns, sorted, the addresses the server recorded as
// declined (DHCPDECLINE): Kea's memfile rows in state 1, the DHCPDECLINE
// lines of dnsmasq's --log-dhcp log (dnsmasq keeps no record of them in
// its lease file). dnsmasq's log spans every run of the lab's server.
func (l *Lab) ServerDeclined() []netip.Addr {
	l.t.Helper()
	if l.opts.Server == Dnsmasq {
		return parseDnsmasqDeclined(l.ServerLog())
	}
	data, err := os.ReadFile(l.leaseFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.t.Fatalf("server leases: %v", err)
	}
	declined, err := parseKeaDeclined(data)
	if err != nil {
		l.t.Fatalf("server leases %s: %v", l.leaseFile, err)
	}
	return declined
}

// parseDnsmasqLeases reads "expiry mac ip hostname clientid" lines. dnsmasq
// rewrites the whole file on each change and drops released leases from it.
func parseDnsmasqLeases(data []byte) ([]ServerLease, error) {
	var leases []ServerLease
	for n, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "duid" {
			continue
		}
		if len(f) < 4 {
			return nil, fmt.Errorf("line %d: %q", n+1, line)
		}
		var lease ServerLease
		exp, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: expiry: %w", n+1, err)
		}
		if exp != 0 {
			lease.Expires = time.Unix(exp, 0)
		}
		if lease.MAC, err = net.ParseMAC(f[1]); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		if lease.IP, err = netip.ParseAddr(f[2]); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		if len(f) > 4 && f[4] != "*" {
			lease.ClientID = f[4]
		}
		leases = append(leases, lease)
	}
	return leases, nil
}

// dnsmasqDecline matches what --log-dhcp writes for a DHCPDECLINE, e.g.
// "dnsmasq-dhcp[426]: 676875800 DHCPDECLINE(eth-srv) 198.18.0.102 12:d0:...".
var dnsmasqDecline = regexp.MustCompile(`DHCPDECLINE\([^)]*\) (\d+\.\d+\.\d+\.\d+)`)

func parseDnsmasqDeclined(log string) []netip.Addr {
	var addrs []netip.Addr
	for _, m := range dnsmasqDecline.FindAllStringSubmatch(log, -1) {
		if a, err := netip.ParseAddr(m[1]); err == nil && !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	return addrs
}

// keaRow is the latest memfile row of one address.
type keaRow struct {
	lease ServerLease
	valid uint64
	state int
}

// replayKea replays Kea's append-only memfile CSV: a later row for an
// address replaces the earlier ones.
func replayKea(data []byte) (map[netip.Addr]keaRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("csv: %v (%d rows)", err, len(rows))
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, name := range []string{"address", "hwaddr", "client_id", "valid_lifetime", "expire", "state"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("header %q lacks column %q", rows[0], name)
		}
	}
	latest := map[netip.Addr]keaRow{}
	for n, row := range rows[1:] {
		get := func(name string) string {
			if i := col[name]; i < len(row) {
				return row[i]
			}
			return ""
		}
		ip, err := netip.ParseAddr(get("address"))
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", n+2, err)
		}
		valid, err1 := strconv.ParseUint(get("valid_lifetime"), 10, 32)
		expire, err2 := strconv.ParseInt(get("expire"), 10, 64)
		state, err3 := strconv.Atoi(get("state"))
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("row %d: %w", n+2, err)
		}
		kr := keaRow{lease: ServerLease{IP: ip, ClientID: get("client_id")}, valid: valid, state: state}
		if valid != math.MaxUint32 {
			kr.lease.Expires = time.Unix(expire, 0)
		}
		if hw := get("hwaddr"); hw != "" {
			if kr.lease.MAC, err = net.ParseMAC(hw); err != nil {
				return nil, fmt.Errorf("row %d: %w", n+2, err)
			}
		}
		latest[ip] = kr
	}
	return latest, nil
}

// parseKeaLeases returns the live leases of a memfile: valid_lifetime 0
// means deleted (that is how Kea 2.2 records a RELEASE); state 1 is
// declined, 2 expired-reclaimed.
func parseKeaLeases(data []byte) ([]ServerLease, error) {
	latest, err := replayKea(data)
	if err != nil {
		return nil, err
	}
	leases := []ServerLease{}
	for _, kr := range latest {
		if kr.valid != 0 && kr.state == 0 {
			leases = append(leases, kr.lease)
		}
	}
	return leases, nil
}

// parseKeaDeclined returns the addresses whose latest row is in state 1
// (declined). Kea 2.2 writes such a row, without hwaddr and client id and
// with the decline-probation-period (a day) as its lifetime, on DHCPDECLINE.
func parseKeaDeclined(data []byte) ([]netip.Addr, error) {
	latest, err := replayKea(data)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	for ip, kr := range latest {
		if kr.state == 1 {
			addrs = append(addrs, ip)
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	return addrs, nil
}

func TestParseServerLeases(t *testing.T) {
	mac := net.HardwareAddr{0xd2, 0xdc, 0xec, 0x7a, 0x46, 0x5c}
	const keaHeader = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n"
	tests := []struct {
		name  string
		parse func([]byte) ([]ServerLease, error)
		data  string
		want  []ServerLease
	}{{
		name:  "dnsmasq",
		parse: parseDnsmasqLeases,
		data: "1795462332 d2:dc:ec:7a:46:5c 198.18.0.120 * 01:d2:dc:ec:7a:46:5c\n" +
			"0 d2:dc:ec:7a:46:5c 198.18.0.121 host *\n" +
			"duid 00:01:00:01:2c:8a:2b:3c:d2:dc:ec:7a:46:5c\n",
		want: []ServerLease{
			{IP: netip.MustParseAddr("198.18.0.120"), MAC: mac, ClientID: "01:d2:dc:ec:7a:46:5c", Expires: time.Unix(1795462332, 0)},
			{IP: netip.MustParseAddr("198.18.0.121"), MAC: mac},
		},
	}, {
		name:  "dnsmasq empty after release",
		parse: parseDnsmasqLeases,
		data:  "",
	}, {
		// Rows as Kea 2.2 wrote them in a lab: renewals, a RELEASE of .100
		// (valid_lifetime 0), .101 expired and reclaimed (state 2), .102
		// live, .104 declined (state 1, no hwaddr).
		name:  "kea",
		parse: parseKeaLeases,
		data: keaHeader +
			"198.18.0.100,d2:dc:ec:7a:46:5c,01:d2:dc:ec:7a:46:5c,20,1795462138,1,0,0,,0,\n" +
			"198.18.0.100,d2:dc:ec:7a:46:5c,01:d2:dc:ec:7a:46:5c,20,1795462165,1,0,0,,0,\n" +
			"198.18.0.100,d2:dc:ec:7a:46:5c,01:d2:dc:ec:7a:46:5c,0,1795462145,1,0,0,,0,\n" +
			"198.18.0.101,d2:dc:ec:7a:46:5c,01:d2:dc:ec:7a:46:5c,20,1795462177,1,0,0,,0,\n" +
			"198.18.0.101,d2:dc:ec:7a:46:5c,01:d2:dc:ec:7a:46:5c,20,1795462177,1,0,0,,2,\n" +
			"198.18.0.102,d2:dc:ec:7a:46:5c,,600,1795462777,1,0,0,,0,\n" +
			"198.18.0.103,d2:dc:ec:7a:46:5c,,4294967295,1795462777,1,0,0,h&#x2cx,0,\n" +
			"198.18.0.104,d2:dc:ec:7a:46:5c,01:d2:dc:ec:7a:46:5c,20,1795465087,1,0,0,,0,\n" +
			"198.18.0.104,,,86400,1795551467,1,0,0,,1,\n",
		want: []ServerLease{
			{IP: netip.MustParseAddr("198.18.0.102"), MAC: mac, Expires: time.Unix(1795462777, 0)},
			{IP: netip.MustParseAddr("198.18.0.103"), MAC: mac},
		},
	}, {
		name:  "kea header only",
		parse: parseKeaLeases,
		data:  keaHeader,
		want:  []ServerLease{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got, func(a, b ServerLease) int { return a.IP.Compare(b.IP) })
			if diff := cmp.Diff(tt.want, got, equateNetip); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDeclined(t *testing.T) {
	const keaData = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n" +
		"198.18.0.140,12:d0:a4:68:c1:66,01:12:d0:a4:68:c1:66,20,1795465087,1,0,0,,0,\n" +
		"198.18.0.140,,,86400,1795551467,1,0,0,,1,\n" +
		"198.18.0.100,12:d0:a4:68:c1:66,01:12:d0:a4:68:c1:66,20,1795465107,1,0,0,,0,\n" +
		"198.18.0.101,,,86400,1795551467,1,0,0,,1,\n" +
		"198.18.0.101,12:d0:a4:68:c1:66,,20,1795465107,1,0,0,,0,\n"
	gotKea, err := parseKeaDeclined([]byte(keaData))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]netip.Addr{netip.MustParseAddr("198.18.0.140")}, gotKea, equateNetip); diff != "" {
		t.Errorf("kea (-want +got):\n%s", diff)
	}

	const dnsmasqLog = "Nov 23 20:13:17 dnsmasq-dhcp[426]: 676875800 DHCPDECLINE(eth-srv) 198.18.0.102 12:d0:a4:68:c1:66 \n" +
		"Nov 23 20:13:37 dnsmasq-dhcp[426]: 2392431192 DHCPDISCOVER(eth-srv) 12:d0:a4:68:c1:66 \n" +
		"Nov 23 20:14:17 dnsmasq-dhcp[426]: 676875801 DHCPDECLINE(eth-srv) 198.18.0.101 12:d0:a4:68:c1:66 \n" +
		"Nov 23 20:14:18 dnsmasq-dhcp[426]: 676875802 DHCPDECLINE(eth-srv) 198.18.0.102 12:d0:a4:68:c1:66 \n"
	want := []netip.Addr{netip.MustParseAddr("198.18.0.101"), netip.MustParseAddr("198.18.0.102")}
	if diff := cmp.Diff(want, parseDnsmasqDeclined(dnsmasqLog), equateNetip); diff != "" {
		t.Errorf("dnsmasq (-want +got):\n%s", diff)
	}
}
