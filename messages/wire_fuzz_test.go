package messages

import (
	"net/netip"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
)

// FuzzFromWire: any request that decodes is translated without a panic:
// an unknown command is INVALID, a privileged one PERM for a caller who is
// not, and the rest a command naming the request's interface, and the arguments it reads
// come through as sent: a flag is set exactly when its value is "yes", an
// inform address is the one sent.
func FuzzFromWire(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"command":"start","ifname":"eth0","args":{"primary":"yes","hostname":"h"}}`,
		`{"version":1,"command":"inform","ifname":"eth0","args":{"address":"198.18.9.9/24"}}`,
		`{"version":1,"command":"inform","args":{"address":"junk"}}`,
		`{"version":1,"command":"create-addr","wait_ms":-1,"args":{"object":"eth0/d","type":"dhcp","temporary":"YES"}}`,
		`{"version":1,"command":"release","ifname":""}`,
		`{"version":1,"command":"nonsense"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ipc.DecodeRequest(body)
		if err != nil {
			return
		}
		w, known := wireCommands[req.Command]
		c, fail := FromWire(req, true)
		if fail != nil {
			if fail.Code != ipc.ErrInvalid {
				t.Fatalf("a privileged caller's %q answered %s", req.Command, fail.Code)
			}
			if _, ok := netip.ParsePrefix(req.Args[ipc.ArgAddress]); known && req.Command == ipc.CmdInform && ok == nil {
				t.Fatalf("inform of a valid address refused: %v", fail.Message)
			}
			return
		}
		if !known {
			t.Fatalf("unknown command %q translated", req.Command)
		}
		if _, perm := FromWire(req, false); (perm != nil) != w.privileged {
			t.Fatalf("%q from an unprivileged caller answered %v", req.Command, perm)
		}
		if c.Ifname != req.Ifname || c.Req == nil {
			t.Fatalf("%+v translated to %+v", req, c)
		}
		yes := func(k string) bool { return req.Args[k] == "yes" }
		switch r := c.Req.(type) {
		case Start:
			if r.Primary != yes(ipc.ArgPrimary) || r.Temporary != yes(ipc.ArgTemporary) || r.Hostname != req.Args[ipc.ArgHostname] {
				t.Fatalf("%+v translated to %+v", req.Args, r)
			}
		case Inform:
			if s, ok := req.Args[ipc.ArgAddress]; ok && netip.MustParsePrefix(s) != r.Addr {
				t.Fatalf("inform %q translated to %v", s, r.Addr)
			}
		case CreateAddr:
			if r.Primary != yes(ipc.ArgPrimary) || r.Temporary != yes(ipc.ArgTemporary) || r.Object != req.Args[ipc.ArgObject] {
				t.Fatalf("%+v translated to %+v", req.Args, r)
			}
		}
	})
}
