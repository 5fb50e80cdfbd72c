//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLabSelfCheck checks the harness itself against each server with
// busybox udhcpc in place of the agent.
func TestLabSelfCheck(t *testing.T) {
	for _, kind := range serverKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			needBusybox(t)
			l := newLab(t, LabOptions{Server: kind, LeaseTime: 5 * time.Minute, NoAgent: true})
			out, err := l.ClientExec("busybox", "udhcpc", "-i", ClientIface, "-n", "-q", "-f", "-s", "/bin/true", "-t", "3", "-T", "2")
			if err != nil {
				t.Fatalf("udhcpc: %v", err)
			}
			t.Logf("udhcpc:\n%s", out)
			mac := l.ClientMAC()
			start := time.Now()
			waitUntil(t, 5*time.Second, "server lease for "+mac.String(), func() error {
				leases := l.ServerLeases()
				for _, lease := range leases {
					if bytes.Equal(lease.MAC, mac) {
						return nil
					}
				}
				return fmt.Errorf("leases: %v", leases)
			})
			leases := l.ServerLeases()
			if len(leases) != 1 {
				t.Fatalf("ServerLeases() = %v, want 1 lease", leases)
			}
			got := leases[0]
			if !l.InPool(got.IP) {
				t.Errorf("lease IP %v outside the pool", got.IP)
			}
			if want := start.Add(5 * time.Minute); got.Expires.Sub(want).Abs() > 10*time.Second {
				t.Errorf("lease expires %v, want about %v", got.Expires, want)
			}
			l.StopServer()
			l.StartServer()
			if diff := cmp.Diff(leases, l.ServerLeases(), equateNetip); diff != "" {
				t.Errorf("leases after a server restart (-want +got):\n%s", diff)
			}

			if addrs := l.ClientAddrs(); len(addrs) != 0 {
				t.Errorf("ClientAddrs() = %v, want none (udhcpc ran with -s /bin/true)", addrs)
			}

			// Apply the lease by hand to check the address and route parsers.
			prefix := netip.PrefixFrom(got.IP, 24)
			for _, c := range [][]string{
				{"ip", "addr", "add", prefix.String(), "dev", ClientIface, "valid_lft", "300", "preferred_lft", "200"},
				{"ip", "route", "add", "default", "via", router, "dev", ClientIface, "metric", "7"},
			} {
				if _, err := l.ClientExec(c...); err != nil {
					t.Fatal(err)
				}
			}
			approx := cmp.Comparer(func(a, b time.Duration) bool { return (a - b).Abs() <= 5*time.Second })
			wantAddrs := []Addr{{Prefix: prefix, ValidLft: 300 * time.Second, PreferredLft: 200 * time.Second, Dynamic: true}}
			if diff := cmp.Diff(wantAddrs, l.ClientAddrs(), approx, equateNetip); diff != "" {
				t.Errorf("ClientAddrs() (-want +got):\n%s", diff)
			}
			wantRoutes := []Route{
				{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr(router), Protocol: "boot", Metric: 7},
				{Dst: prefix.Masked(), Protocol: "kernel"},
			}
			if diff := cmp.Diff(wantRoutes, l.ClientRoutes(), equateNetip); diff != "" {
				t.Errorf("ClientRoutes() (-want +got):\n%s", diff)
			}
			if got := l.ClientMTU(); got != 1500 {
				t.Errorf("ClientMTU() = %d, want veth's 1500", got)
			}
		})
	}
}

func needBusybox(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("busybox"); err != nil {
		t.Skip("busybox not installed; run scripts/deps.sh")
	}
}

// udhcpc is busybox udhcpc on ClientIface with an event script that
// records every event's environment in envFile; with apply, the script also
// puts the leased address on the interface (udhcpc's renewals need it).
type udhcpc struct {
	l       *Lab
	script  string
	envFile string
}

func newUdhcpc(l *Lab, apply bool) *udhcpc {
	l.t.Helper()
	needBusybox(l.t)
	u := &udhcpc{l: l, script: filepath.Join(l.Dir, "udhcpc.sh"), envFile: filepath.Join(l.Dir, "udhcpc.env")}
	action := ":"
	if apply {
		action = `case "$1" in
deconfig) ip -4 addr flush dev "$interface" ;;
bound|renew) ip -4 addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;;
esac`
	}
	script := "#!/bin/sh\n{ echo \"event=$1\"; env | sort; echo; } >> " + u.envFile + "\n" + action + "\n"
	if err := os.WriteFile(u.script, []byte(script), 0o755); err != nil {
		l.t.Fatal(err)
	}
	return u
}

// once runs udhcpc -q: one lease, then exit. Its own retries are bounded
// (-t 3 -T 2), and so is the whole run (timeout SECS).
func (u *udhcpc) once(timeout int, extra ...string) (string, error) {
	args := []string{"timeout", fmt.Sprint(timeout), "busybox", "udhcpc", "-i", ClientIface, "-n", "-q", "-f", "-s", u.script, "-t", "3", "-T", "2"}
	return u.l.ClientExec(append(args, extra...)...)
}

// background runs udhcpc in the foreground of a process of its own, kept
// until cleanup: it renews on SIGUSR1.
func (u *udhcpc) background() *proc {
	log := filepath.Join(u.l.Dir, "udhcpc.log")
	p := u.l.start("udhcpc", u.l.ClientNS, log, nil,
		[]string{"busybox", "udhcpc", "-i", ClientIface, "-f", "-s", u.script, "-t", "3", "-T", "2"})
	u.l.others = append(u.l.others, p)
	return p
}

// lastBound returns the environment of the script's last "bound" event.
func (u *udhcpc) lastBound() map[string]string {
	var env map[string]string
	for block := range strings.SplitSeq(readFile(u.envFile), "\n\n") {
		vars := map[string]string{}
		for line := range strings.SplitSeq(block, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				vars[k] = v
			}
		}
		if vars["event"] == "bound" {
			env = vars
		}
	}
	return env
}

func (u *udhcpc) boundAddr(t *testing.T) netip.Addr {
	t.Helper()
	env := u.lastBound()
	a, err := netip.ParseAddr(env["ip"])
	if err != nil {
		t.Fatalf("udhcpc bound to no address: %v (env %v)", err, env)
	}
	return a
}

// TestLabHelpers checks the lab's newer helpers against each server with
// busybox udhcpc: options 3, 26 and 121 and a custom pool (seen by udhcpc and
// in the capture), BlockUnicastToServer, Squat with ServerDeclined, and
// RestartServer leading to a NAK of a renewal.
func TestLabHelpers(t *testing.T) {
	t.Parallel()
	a := netip.MustParseAddr
	srv := netip.AddrPortFrom(a(router), 67)
	for _, kind := range serverKinds {
		t.Run(string(kind)+"/options", func(t *testing.T) {
			t.Parallel()
			l := newLab(t, LabOptions{
				Server: kind, NoAgent: true, MTU: 1400,
				PoolFirst: a("198.18.0.200"), PoolLast: a("198.18.0.210"),
				Routers: []netip.Addr{a("198.18.0.254")},
				ClasslessRoutes: []ClasslessRoute{
					{Dst: netip.MustParsePrefix("198.19.0.0/16"), Gw: a(router)},
					{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gw: a(router)},
				},
			})
			c := l.StartCapture()
			u := newUdhcpc(l, false)
			if out, err := u.once(20, "-O", "staticroutes", "-O", "mtu"); err != nil {
				t.Fatalf("udhcpc: %v\n%s", err, out)
			}
			env := u.lastBound()
			if ip := u.boundAddr(t); !l.InPool(ip) {
				t.Errorf("udhcpc got %v, outside the pool 198.18.0.200-210", ip)
			}
			want := map[string]string{"router": "198.18.0.254", "mtu": "1400", "staticroutes": "198.19.0.0/16 198.18.0.1 0.0.0.0/0 198.18.0.1"}
			for k, v := range want {
				if env[k] != v {
					t.Errorf("udhcpc %s=%q, want %q", k, env[k], v)
				}
			}
			ack := c.WaitForPacket(t, 5*time.Second, "ACK", func(p Packet) bool { return p.DHCP == MsgAck })
			for code, v := range map[int]string{3: "198.18.0.254", 26: "1400", 121: "(198.19.0.0/16:198.18.0.1),(default:198.18.0.1)"} {
				if ack.Options[code] != v {
					t.Errorf("ACK option %d = %q, want %q\n%s", code, ack.Options[code], v, ack.Text())
				}
			}
		})

		t.Run(string(kind)+"/firewall", func(t *testing.T) {
			t.Parallel()
			l := newLab(t, LabOptions{Server: kind, NoAgent: true})
			c := l.StartCapture()
			u := newUdhcpc(l, false)
			if out, err := u.once(20); err != nil {
				t.Fatalf("udhcpc: %v\n%s", err, out)
			}
			addr := u.boundAddr(t)
			if _, err := l.ClientExec("ip", "addr", "add", netip.PrefixFrom(addr, 24).String(), "dev", ClientIface); err != nil {
				t.Fatal(err)
			}
			l.BlockUnicastToServer()
			// bash's /dev/udp sends through an ordinary UDP socket.
			if out, err := l.ClientExec("bash", "-c", "echo blocked >/dev/udp/"+router+"/67"); err == nil {
				t.Errorf("unicast to %s:67 was not refused: %s", router, out)
			}
			if _, err := l.ClientExec("bash", "-c", "echo passes >/dev/udp/"+router+"/68"); err != nil {
				t.Errorf("unicast to %s:68: %v", router, err)
			}
			c.WaitForPacket(t, 5*time.Second, "the datagram to port 68", func(p Packet) bool {
				return p.Src.Addr() == addr && p.Dst == netip.AddrPortFrom(a(router), 68)
			})
			if n := l.BlockedUnicasts(); n != 1 {
				t.Errorf("BlockedUnicasts() = %d, want 1", n)
			}
			if ps := c.Filter(func(p Packet) bool { return p.Src.Addr() == addr && p.Dst == srv }); len(ps) != 0 {
				t.Errorf("the blocked datagram reached the server:\n%s", summaries(ps))
			}
			// Broadcasts through a packet socket pass.
			if out, err := u.once(20); err != nil {
				t.Fatalf("udhcpc behind the firewall: %v\n%s", err, out)
			}
			if ps := c.Filter(func(p Packet) bool { return p.DHCP == MsgDiscover }); len(ps) < 2 {
				t.Errorf("%d DISCOVERs in the capture, want 2 or more:\n%s", len(ps), summaries(ps))
			}
		})

		t.Run(string(kind)+"/squat", func(t *testing.T) {
			t.Parallel()
			l := newLab(t, LabOptions{Server: kind, NoAgent: true})
			c := l.StartCapture()
			u := newUdhcpc(l, false)
			if out, err := u.once(20); err != nil {
				t.Fatalf("udhcpc: %v\n%s", err, out)
			}
			addr := u.boundAddr(t)
			l.Squat(addr)
			// -a: udhcpc probes the offered address and declines it on
			// an answer; it then waits long before trying again, so
			// timeout ends it.
			out, _ := u.once(6, "-a")
			t.Logf("udhcpc -a:\n%s", out)
			mac := l.ClientMAC().String()
			c.WaitForPacket(t, 5*time.Second, "ARP probe", func(p Packet) bool { return p.SrcMAC == mac && p.IsARPProbe(addr) })
			c.WaitForPacket(t, 5*time.Second, "the squatter's ARP reply", func(p Packet) bool {
				return p.ARP == "Reply" && p.ARPSender == addr && p.SrcMAC == l.SquatterMAC()
			})
			c.WaitForPacket(t, 5*time.Second, "DHCPDECLINE", func(p Packet) bool {
				return p.DHCP == MsgDecline && p.OptionAddr(50) == addr && p.OptionAddr(54) == a(router)
			})
			waitUntil(t, 5*time.Second, "the server to record the decline", func() error {
				if got := l.ServerDeclined(); !slices.Contains(got, addr) {
					return fmt.Errorf("ServerDeclined() = %v, want %v in it", got, addr)
				}
				return nil
			})

			// RestartServer with a new pool: the decline is still on
			// record, and a client gets an address of the new pool.
			l.RestartServer(func(o *LabOptions) { o.PoolFirst, o.PoolLast = a("198.18.0.200"), a("198.18.0.210") })
			if got := l.ServerDeclined(); !slices.Contains(got, addr) {
				t.Errorf("after the restart ServerDeclined() = %v, want %v in it", got, addr)
			}
			if out, err := u.once(20); err != nil {
				t.Fatalf("udhcpc after the restart: %v\n%s", err, out)
			}
			if got := u.boundAddr(t); !l.InPool(got) {
				t.Errorf("after the restart udhcpc got %v, want an address of 198.18.0.200-210", got)
			}
		})

		// A renewal NAKed after RestartServer with movePool, as the
		// lifecycle NAK test needs it (movePool says why Kea needs more
		// than a new pool).
		t.Run(string(kind)+"/nak", func(t *testing.T) {
			t.Parallel()
			l := newLab(t, LabOptions{Server: kind, NoAgent: true})
			c := l.StartCapture()
			u := newUdhcpc(l, true)
			p := u.background()
			var old netip.Addr
			waitUntil(t, 10*time.Second, "udhcpc to bind", func() error {
				if as := l.ClientAddrs(); len(as) == 1 {
					old = as[0].Prefix.Addr()
					return nil
				}
				return fmt.Errorf("addresses %v", l.ClientAddrs())
			})
			l.RestartServer(func(o *LabOptions) { movePool(o, l.ClientMAC()) })
			if err := p.signal(syscall.SIGUSR1); err != nil { // renew now
				t.Fatal(err)
			}
			req := c.WaitForPacket(t, 5*time.Second, "unicast renewal", func(p Packet) bool {
				return p.DHCP == MsgRequest && p.Src.Addr() == old && p.Dst == srv
			})
			c.WaitForPacket(t, 5*time.Second, "NAK of the renewal", func(p Packet) bool {
				return p.DHCP == MsgNak && p.XID == req.XID && p.Src == srv
			})
			waitUntil(t, 15*time.Second, "udhcpc to bind in the new pool", func() error {
				if as := l.ClientAddrs(); len(as) != 1 || !l.InPool(as[0].Prefix.Addr()) {
					return fmt.Errorf("addresses %v", as)
				}
				return nil
			})
		})
	}
}
