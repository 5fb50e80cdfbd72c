//go:build integration

package integration

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// DHCP message types as tcpdump -vv names them in "DHCP-Message (53)".
const (
	MsgDiscover = "Discover"
	MsgOffer    = "Offer"
	MsgRequest  = "Request"
	MsgDecline  = "Decline"
	MsgAck      = "ACK"
	MsgNak      = "NACK"
	MsgRelease  = "Release"
	MsgInform   = "Inform"
)

// Packet is one frame as `tcpdump -n -e -vv` prints it: a header line and
// the indented lines that follow, with the fields the tests ask about.
// Addresses tcpdump does not print (a zero ciaddr, say) are invalid.
type Packet struct {
	Time           time.Time
	Lines          []string
	SrcMAC, DstMAC string // lower-case, as net.HardwareAddr.String()

	// IPv4 and UDP.
	Src, Dst netip.AddrPort

	// BOOTP and DHCP.
	BOOTP      bool
	DHCP       string // message type (MsgDiscover...); "" for plain BOOTP
	XID        uint32
	Broadcast  bool           // the BOOTP broadcast flag
	ClientIP   netip.Addr     // ciaddr
	YourIP     netip.Addr     // yiaddr
	ServerIP   netip.Addr     // siaddr
	Options    map[int]string // code -> value as tcpdump prints it
	OptionName map[int]string // code -> tcpdump's name (80 is "SLP-NA")

	// ARP.
	ARP       string     // "Request" or "Reply"; "" when not ARP
	ARPSender netip.Addr // "tell X" of a request, "X is-at" of a reply
	ARPTarget netip.Addr // "who-has X" of a request
}

// Has reports whether the DHCP packet carries option code.
func (p Packet) Has(code int) bool {
	_, ok := p.Options[code]
	return ok
}

// OptionAddr returns option code (50, 54...) as an address, or an invalid one.
func (p Packet) OptionAddr(code int) netip.Addr {
	a, _ := netip.ParseAddr(p.Options[code])
	return a
}

// IsARPProbe reports whether p is an RFC 5227 probe for target: a request
// with sender address 0.0.0.0.
func (p Packet) IsARPProbe(target netip.Addr) bool {
	return p.ARP == "Request" && p.ARPSender == netip.IPv4Unspecified() && p.ARPTarget == target
}

// IsARPAnnouncement reports whether p is an RFC 5227 announcement of addr:
// a request whose sender and target address are both addr.
func (p Packet) IsARPAnnouncement(addr netip.Addr) bool {
	return p.ARP == "Request" && p.ARPSender == addr && p.ARPTarget == addr
}

// Text returns the packet as tcpdump printed it.
func (p Packet) Text() string { return strings.Join(p.Lines, "\n") }

// Summary is one line about the packet, for logs.
func (p Packet) Summary() string {
	ts := p.Time.Format("15:04:05.000")
	switch {
	case p.ARP == "Request":
		return fmt.Sprintf("%s %s > %s ARP who-has %v tell %v", ts, p.SrcMAC, p.DstMAC, p.ARPTarget, p.ARPSender)
	case p.ARP == "Reply":
		return fmt.Sprintf("%s %s > %s ARP %v is-at %s", ts, p.SrcMAC, p.DstMAC, p.ARPSender, p.SrcMAC)
	case p.BOOTP:
		s := fmt.Sprintf("%s %s > %s %v > %v DHCP %s xid %#x", ts, p.SrcMAC, p.DstMAC, p.Src, p.Dst, p.DHCP, p.XID)
		if p.ClientIP.IsValid() {
			s += " ciaddr " + p.ClientIP.String()
		}
		if p.YourIP.IsValid() {
			s += " yiaddr " + p.YourIP.String()
		}
		for _, code := range []int{50, 54, 80} {
			if v, ok := p.Options[code]; ok {
				s += fmt.Sprintf(" opt%d=%s", code, v)
			}
		}
		return s
	}
	if len(p.Lines) > 0 {
		return p.Lines[0]
	}
	return ""
}

var (
	reStamp  = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d+ `)
	reHeader = regexp.MustCompile(`^(\d\d:\d\d:\d\d\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype (\S+) \(0x[0-9a-f]+\), length \d+: (.*)$`)
	reUDP    = regexp.MustCompile(`^\s+(\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): (.*)$`)
	reXID    = regexp.MustCompile(`xid 0x([0-9a-f]+)`)
	reFlags  = regexp.MustCompile(`Flags \[([^\]]*)\]`)
	reField  = regexp.MustCompile(`^\s+(Client-IP|Your-IP|Server-IP) (\S+)$`)
	reOption = regexp.MustCompile(`^\t {4}(\S+) \((\d+)\), length \d+:? ?(.*)$`)
	reOptCnt = regexp.MustCompile(`^\t {6,}(\S.*)$`)
	reARPReq = regexp.MustCompile(`Request who-has (\S+)(?: \([0-9a-f:]+\))? tell (\S+), length`)
	reARPRep = regexp.MustCompile(`Reply (\S+) is-at ([0-9a-f:]+), length`)
)

// parsePackets groups tcpdump's lines into packets: a line starting with a
// time stamp begins one, indented lines continue it, and any other line
// (none is expected) is dropped. Times are placed on the day of since, or
// the next one if tcpdump's clock went past midnight.
func parsePackets(lines []string, since time.Time) []Packet {
	var packets []Packet
	in := false // the indented lines belong to the last packet
	for _, line := range lines {
		switch {
		case line == "":
		case reStamp.MatchString(line):
			packets = append(packets, Packet{Lines: []string{line}})
			in = true
		case line[0] != ' ' && line[0] != '\t':
			in = false
		case in:
			p := &packets[len(packets)-1]
			p.Lines = append(p.Lines, line)
		}
	}
	for i := range packets {
		packets[i].parse(since)
	}
	return packets
}

func (p *Packet) parse(since time.Time) {
	m := reHeader.FindStringSubmatch(p.Lines[0])
	if m == nil {
		return
	}
	if t, err := time.ParseInLocation("15:04:05.999999", m[1], time.Local); err == nil {
		y, mo, d := since.Date()
		p.Time = time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.Local)
		if p.Time.Before(since.Add(-time.Hour)) {
			p.Time = p.Time.AddDate(0, 0, 1)
		}
	}
	p.SrcMAC, p.DstMAC = m[2], m[3]
	if m[4] == "ARP" {
		if a := reARPReq.FindStringSubmatch(m[5]); a != nil {
			p.ARP = "Request"
			p.ARPTarget, _ = netip.ParseAddr(a[1])
			p.ARPSender, _ = netip.ParseAddr(a[2])
		} else if a := reARPRep.FindStringSubmatch(m[5]); a != nil {
			p.ARP = "Reply"
			p.ARPSender, _ = netip.ParseAddr(a[1])
		}
		return
	}
	if len(p.Lines) < 2 {
		return
	}
	u := reUDP.FindStringSubmatch(p.Lines[1])
	if u == nil {
		return
	}
	p.Src = addrPort(u[1], u[2])
	p.Dst = addrPort(u[3], u[4])
	if !strings.Contains(u[5], "BOOTP/DHCP") {
		return
	}
	p.BOOTP = true
	if x := reXID.FindStringSubmatch(u[5]); x != nil {
		v, _ := strconv.ParseUint(x[1], 16, 32)
		p.XID = uint32(v)
	}
	if f := reFlags.FindStringSubmatch(u[5]); f != nil {
		p.Broadcast = strings.Contains(f[1], "Broadcast")
	}
	p.Options, p.OptionName = map[int]string{}, map[int]string{}
	last := -1
	for _, line := range p.Lines[2:] {
		if f := reField.FindStringSubmatch(line); f != nil {
			a, _ := netip.ParseAddr(f[2])
			switch f[1] {
			case "Client-IP":
				p.ClientIP = a
			case "Your-IP":
				p.YourIP = a
			case "Server-IP":
				p.ServerIP = a
			}
			continue
		}
		if o := reOption.FindStringSubmatch(line); o != nil {
			code, _ := strconv.Atoi(o[2])
			p.Options[code], p.OptionName[code] = strings.TrimSpace(o[3]), o[1]
			last = code
			continue
		}
		if c := reOptCnt.FindStringSubmatch(line); c != nil && last >= 0 {
			p.Options[last] = strings.TrimSpace(p.Options[last] + " " + c[1])
		}
	}
	p.DHCP = p.Options[53]
}

func addrPort(ip, port string) netip.AddrPort {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.AddrPort{}
	}
	n, _ := strconv.ParseUint(port, 10, 16)
	return netip.AddrPortFrom(a, uint16(n))
}

// TestParsePackets checks the parser on tcpdump 4.99 output taken from a lab.
func TestParsePackets(t *testing.T) {
	text := "tcpdump: stray line before the first packet\n" +
		"20:13:00.254702 12:d0:a4:68:c1:66 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 342: (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto UDP (17), length 328)\n" +
		"    0.0.0.0.68 > 255.255.255.255.67: [udp sum ok] BOOTP/DHCP, Request from 12:d0:a4:68:c1:66, length 300, xid 0x2df47c7c, Flags [none] (0x0000)\n" +
		"\t  Client-Ethernet-Address 12:d0:a4:68:c1:66\n" +
		"\t  Vendor-rfc1048 Extensions\n" +
		"\t    Magic Cookie 0x63825363\n" +
		"\t    DHCP-Message (53), length 1: Discover\n" +
		"\t    Parameter-Request (55), length 9: \n" +
		"\t      Subnet-Mask (1), Default-Gateway (3), Domain-Name-Server (6), Hostname (12)\n" +
		"\t      Classless-Static-Route (121)\n" +
		"\t    SLP-NA (80), length 0\"\"\n" +
		"20:13:00.256135 06:a2:cc:e0:78:51 > 12:d0:a4:68:c1:66, ethertype IPv4 (0x0800), length 346: (tos 0xc0, ttl 64, id 50939, offset 0, flags [none], proto UDP (17), length 332)\n" +
		"    198.18.0.1.67 > 198.18.0.102.68: [bad udp cksum 0x8dd5 -> 0xc900!] BOOTP/DHCP, Reply, length 304, xid 0x2df47c7c, Flags [Broadcast] (0x8000)\n" +
		"\t  Client-IP 198.18.0.102\n" +
		"\t  Your-IP 198.18.0.102\n" +
		"\t  Server-IP 198.18.0.1\n" +
		"\t  Vendor-rfc1048 Extensions\n" +
		"\t    DHCP-Message (53), length 1: ACK\n" +
		"\t    Server-ID (54), length 4: 198.18.0.1\n" +
		"\t    MTU (26), length 2: 1400\n" +
		"\t    Classless-Static-Route (121), length 12: (198.19.0.0/16:198.18.0.1),(default:198.18.0.1)\n" +
		"20:13:17.348613 12:d0:a4:68:c1:66 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Ethernet (len 6), IPv4 (len 4), Request who-has 198.18.0.102 tell 0.0.0.0, length 46\n" +
		"20:13:17.348633 be:84:9e:95:02:e5 > 12:d0:a4:68:c1:66, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Reply 198.18.0.102 is-at be:84:9e:95:02:e5, length 28\n" +
		"20:13:42.937490 12:d0:a4:68:c1:66 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 198.18.0.103 (ff:ff:ff:ff:ff:ff) tell 198.18.0.103, length 28\n"
	since := time.Date(2026, 11, 23, 20, 12, 0, 0, time.Local)
	got := parsePackets(strings.Split(text, "\n"), since)
	a := netip.MustParseAddr
	at := func(h, m, s, us int) time.Time { return time.Date(2026, 11, 23, h, m, s, us*1000, time.Local) }
	want := []Packet{{
		Time: at(20, 13, 0, 254702), SrcMAC: "12:d0:a4:68:c1:66", DstMAC: "ff:ff:ff:ff:ff:ff",
		Src: netip.MustParseAddrPort("0.0.0.0:68"), Dst: netip.MustParseAddrPort("255.255.255.255:67"),
		BOOTP: true, DHCP: MsgDiscover, XID: 0x2df47c7c,
		Options: map[int]string{53: "Discover", 55: "Subnet-Mask (1), Default-Gateway (3), Domain-Name-Server (6), Hostname (12) Classless-Static-Route (121)", 80: `""`},
	}, {
		Time: at(20, 13, 0, 256135), SrcMAC: "06:a2:cc:e0:78:51", DstMAC: "12:d0:a4:68:c1:66",
		Src: netip.MustParseAddrPort("198.18.0.1:67"), Dst: netip.MustParseAddrPort("198.18.0.102:68"),
		BOOTP: true, DHCP: MsgAck, XID: 0x2df47c7c, Broadcast: true,
		ClientIP: a("198.18.0.102"), YourIP: a("198.18.0.102"), ServerIP: a("198.18.0.1"),
		Options: map[int]string{53: "ACK", 54: "198.18.0.1", 26: "1400", 121: "(198.19.0.0/16:198.18.0.1),(default:198.18.0.1)"},
	}, {
		Time: at(20, 13, 17, 348613), SrcMAC: "12:d0:a4:68:c1:66", DstMAC: "ff:ff:ff:ff:ff:ff",
		ARP: "Request", ARPSender: a("0.0.0.0"), ARPTarget: a("198.18.0.102"),
	}, {
		Time: at(20, 13, 17, 348633), SrcMAC: "be:84:9e:95:02:e5", DstMAC: "12:d0:a4:68:c1:66",
		ARP: "Reply", ARPSender: a("198.18.0.102"),
	}, {
		Time: at(20, 13, 42, 937490), SrcMAC: "12:d0:a4:68:c1:66", DstMAC: "ff:ff:ff:ff:ff:ff",
		ARP: "Request", ARPSender: a("198.18.0.103"), ARPTarget: a("198.18.0.103"),
	}}
	ignore := cmpopts.IgnoreFields(Packet{}, "Lines", "OptionName")
	if diff := cmp.Diff(want, got, ignore, equateNetip); diff != "" {
		t.Errorf("parsePackets (-want +got):\n%s", diff)
	}
	if len(got) == 5 {
		if !got[0].Has(80) || got[0].OptionName[80] != "SLP-NA" || got[1].OptionAddr(54) != a("198.18.0.1") {
			t.Errorf("option accessors: Has(80)=%v name %q OptionAddr(54)=%v", got[0].Has(80), got[0].OptionName[80], got[1].OptionAddr(54))
		}
		if !got[2].IsARPProbe(a("198.18.0.102")) || !got[4].IsARPAnnouncement(a("198.18.0.103")) || got[3].IsARPProbe(a("198.18.0.102")) {
			t.Error("IsARPProbe/IsARPAnnouncement disagree with the packets")
		}
	}

	// Past midnight: a packet at 00:00:01 captured since 23:59 is the next day.
	late := parsePackets([]string{"00:00:01.000000 12:d0:a4:68:c1:66 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 198.18.0.1 tell 198.18.0.5, length 28"},
		time.Date(2026, 11, 23, 23, 59, 0, 0, time.Local))
	if want := time.Date(2026, 11, 24, 0, 0, 1, 0, time.Local); len(late) != 1 || !late[0].Time.Equal(want) {
		t.Errorf("packet after midnight: %+v, want time %v", late, want)
	}
}
