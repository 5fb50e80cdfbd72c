package actors

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/dhcpagent/dhcpagent/messages"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/rfc1035label"
)

// fakeResolver records what the interfaces hand the resolver.
type fakeResolver struct {
	mu    sync.Mutex
	calls []string
}

func (r *fakeResolver) Set(l dns.Link) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("set %s/%d primary=%v %v %v", l.Name, l.Index, l.Primary, l.Servers, l.Domains))
}

func (r *fakeResolver) Clear(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "clear "+name)
}

func (r *fakeResolver) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func withDNS(servers ...string) dhcpv4.Modifier {
	var ips []net.IP
	for _, s := range servers {
		ips = append(ips, net.ParseIP(s).To4())
	}
	return dhcpv4.WithOption(dhcpv4.OptDNS(ips...))
}

func withSearch(domains ...string) dhcpv4.Modifier {
	return dhcpv4.WithOption(dhcpv4.OptDomainSearch(&rfc1035label.Labels{Labels: domains}))
}

// bindWith takes ifname to BOUND with mods on the offer and the ACK.
func (w *world) bindWith(ifname string, primary bool, mods ...dhcpv4.Modifier) *ipc.Reply {
	w.t.Helper()
	req := &ipc.Request{Command: ipc.CmdStart, Ifname: ifname}
	if primary {
		req.Args = map[string]string{ipc.ArgPrimary: "yes"}
	}
	ch := w.askReq(req)
	d := w.send.next(w.t)
	if !slices.ContainsFunc(d.msg.ParameterRequestList(), func(o dhcpv4.OptionCode) bool {
		return o.Code() == dhcpv4.OptionDNSDomainSearchList.Code()
	}) {
		w.t.Fatalf("DISCOVER requests %v, want option 119 among them", d.msg.ParameterRequestList())
	}
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, mods...)
	r := w.send.next(w.t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120, mods...)
	return w.await(ch)
}

func TestDNSHandedToTheResolver(t *testing.T) {
	w := newWorld(t, fast+"# dns\neth1.DNS=no\n")
	w.bindWith("eth0", false, withDNS("198.18.0.53", "198.18.0.54"), withSearch("a.example", "b.example"),
		dhcpv4.WithOption(dhcpv4.OptDomainName("ignored.example")))
	w.bindWith("eth1", false, withDNS("198.18.1.53"))
	// start --primary on eth0: its DNS goes first from now on.
	w.await(w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0", Args: map[string]string{ipc.ArgPrimary: "yes"}}))
	w.do(ipc.CmdDrop, "eth0")
	want := []string{
		"set eth0/2 primary=false [198.18.0.53 198.18.0.54] [a.example b.example]",
		"clear eth1", // DNS=no for eth1
		"set eth0/2 primary=true [198.18.0.53 198.18.0.54] [a.example b.example]",
		"clear eth0",
	}
	if got := w.dns.snapshot(); !slices.Equal(got, want) {
		t.Fatalf("resolver calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHookGetsSearchList(t *testing.T) {
	w := newWorld(t, fast+"# hooks\n")
	ch := w.askReq(&ipc.Request{Command: ipc.CmdStart, Ifname: "eth0"})
	mods := []dhcpv4.Modifier{withSearch("a.example", "bad domain"), dhcpv4.WithOption(dhcpv4.OptDomainName("one.example"))}
	d := w.send.next(t)
	w.serve(d.msg, dhcpv4.MessageTypeOffer, 120, mods...)
	r := w.send.next(t)
	w.serve(r.msg, dhcpv4.MessageTypeAck, 120, mods...)
	run := w.hooks.next(t)
	if !slices.Contains(run.env, "DHCP_SEARCH=a.example") || !slices.Contains(run.env, "DHCP_DOMAIN=one.example") {
		t.Fatalf("hook env %v, want DHCP_SEARCH of option 119's valid names and DHCP_DOMAIN of option 15", run.env)
	}
	run.done(nil)
	w.await(ch)
}

// TestDeletedLinkGivesBackDNSAndHostName: a bound interface's link is
// deleted: its DNS leaves the resolver and its host name is given back
// (the address and routes went with the link), its lease record stays,
// and once the link is back the INIT-REBOOT's ACK hands both over again
// (SPEC §2 hotplug).
func TestDeletedLinkGivesBackDNSAndHostName(t *testing.T) {
	w := newWorld(t, fast+"# dns\n# hostname\nSET_HOSTNAME=yes\n")
	mods := []dhcpv4.Modifier{withDNS("198.18.0.53"), dhcpv4.WithOption(dhcpv4.OptHostName("web1"))}
	w.bindWith("eth0", true, mods...)
	w.bindWith("eth1", false, withDNS("198.18.1.53"))
	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Deleted: true})
	waitFor(t, "eth0's DNS cleared", func() bool { return slices.Contains(w.dns.snapshot(), "clear eth0") })
	waitFor(t, "eth0's host name released", func() bool {
		w.host.mu.Lock()
		defer w.host.mu.Unlock()
		return slices.Contains(w.host.calls, "release eth0")
	})
	if got := w.dns.snapshot(); slices.Contains(got, "clear eth1") {
		t.Fatalf("resolver calls %q: eth1's DNS cleared with eth0's link", got)
	}
	if rec, err := w.store.LoadLease("eth0"); err != nil || rec == nil {
		t.Fatalf("lease record after the link went: %v %v", rec, err)
	}

	w.system.Root.Send(w.mgr, &messages.Link{Ifname: "eth0", Appeared: true})
	s := w.send.next(t)
	expectReboot(t, s)
	w.serve(s.msg, dhcpv4.MessageTypeAck, 120, mods...)
	waitFor(t, "eth0's DNS back", func() bool {
		got := w.dns.snapshot()
		return strings.HasPrefix(got[len(got)-1], "set eth0/2 ") && strings.Contains(got[len(got)-1], "198.18.0.53")
	})
}
