package store

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// A record resumes only while its lease has time left and its ACKs are
// usable; its address is adopted only when the host holds it on the
// interface; the log says which way it went.
func TestLeaseResume(t *testing.T) {
	hw := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	good := func(yiaddr net.IP) string {
		m, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck), dhcpv4.WithHwAddr(hw),
			dhcpv4.WithYourIP(yiaddr), dhcpv4.WithNetmask(net.CIDRMask(24, 32)), dhcpv4.WithLeaseTime(600),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(198, 18, 0, 1))))
		if err != nil {
			t.Fatal(err)
		}
		m.OpCode = dhcpv4.OpcodeBootReply
		return Encode(m)
	}
	began := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	rec := func(ack string) *Lease {
		return &Lease{Ifname: "eth0", FirstACK: good(net.IPv4(198, 18, 0, 100)), ACK: ack, Began: began}
	}
	addr := netip.MustParsePrefix("198.18.0.100/24")
	for _, c := range []struct {
		name    string
		rec     *Lease
		now     time.Time
		held    bool // the host holds addr on the interface
		lease   bool // a lease is resumed
		adopted bool
		level   zapcore.Level
		msg     string // "" when nothing is logged
	}{
		{"fresh, on the interface", rec(good(net.IPv4(198, 18, 0, 100))), began.Add(time.Minute), true, true, true,
			zap.InfoLevel, "stored lease found"},
		{"fresh, not on it", rec(good(net.IPv4(198, 18, 0, 100))), began.Add(time.Minute), false, true, false,
			zap.InfoLevel, "stored lease found"},
		{"expired", rec(good(net.IPv4(198, 18, 0, 100))), began.Add(10 * time.Minute), true, false, false,
			zap.InfoLevel, "stored lease has expired; acquiring afresh"},
		{"unusable ACK", rec(good(net.IPv4zero)), began.Add(time.Minute), true, false, false,
			zap.WarnLevel, "stored lease unusable; acquiring afresh"},
		{"undecodable ACK", rec("zz"), began.Add(time.Minute), true, false, false,
			zap.WarnLevel, "stored lease unusable; acquiring afresh"},
		{"no record", nil, began, true, false, false, 0, ""},
	} {
		core, logs := observer.New(zap.DebugLevel)
		var asked []netip.Prefix
		held := func(p netip.Prefix) bool { asked = append(asked, p); return c.held }
		prior, adopted := c.rec.Resume(&lease.Config{HWAddr: hw}, c.now, held, zap.New(core))
		if (prior != nil) != c.lease || adopted != c.adopted {
			t.Errorf("%s: Resume = %v, %v; want a lease %v, adopted %v", c.name, prior, adopted, c.lease, c.adopted)
		}
		if prior != nil && (prior.Addr != addr || len(asked) != 1 || asked[0] != addr) {
			t.Errorf("%s: resumed %v, asked whether %v is held; want %v", c.name, prior.Addr, asked, addr)
		}
		if prior == nil && len(asked) != 0 {
			t.Errorf("%s: asked whether %v is held without a lease to adopt", c.name, asked)
		}
		all := logs.All()
		if c.msg == "" {
			if len(all) != 0 {
				t.Errorf("%s: logged %v, want nothing", c.name, all)
			}
			continue
		}
		if len(all) != 1 || all[0].Message != c.msg || all[0].Level != c.level {
			t.Errorf("%s: logged %v, want one %v %q", c.name, all, c.level, c.msg)
			continue
		}
		if f := all[0].ContextMap(); c.lease && (f["address"] != addr.String() || f["on_interface"] != c.adopted) {
			t.Errorf("%s: logged fields %v", c.name, f)
		}
	}
}
