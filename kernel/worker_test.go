package kernel_test

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/dns"
	"github.com/dhcpagent/dhcpagent/kernel"
	"github.com/dhcpagent/dhcpagent/kernel/kerneltest"
)

// log records what the worker told the resolver, the host namer and the
// host address list, in order. The worker's calls come from its jobs,
// one at a time; the test calls Apply and Remove directly.
type log []string

func (l *log) Set(d dns.Link)                  { *l = append(*l, "dns "+d.Name) }
func (l *log) Clear(ifname string)             { *l = append(*l, "dns clear "+ifname) }
func (l *log) Claim(ifname, name string) error { *l = append(*l, "claim "+name); return nil }
func (l *log) Release(ifname string) error     { *l = append(*l, "release "+ifname); return nil }
func (l *log) Settle(a kernel.IfAddr)          { *l = append(*l, "settle "+a.Prefix.String()) }
func (l *log) Added(a kernel.IfAddr, err error) {
	*l = append(*l, fmt.Sprint("added ", a.Prefix, " ", err))
}
func (l *log) Removed(a kernel.IfAddr, err error) {
	*l = append(*l, fmt.Sprint("removed ", a.Prefix, " ", err))
}

func (l *log) take() []string { got := *l; *l = nil; return got }

func plan(ifindex int, addr string) kernel.Plan {
	return kernel.Plan{Cfg: kernel.AddrConfig{Ifindex: ifindex, Addr: netip.MustParsePrefix(addr)},
		DNS: &dns.Link{Name: "eth0", Index: ifindex}, Hostname: "h1", MTU: 9000}
}

// TestWorker: Apply puts the plan on the kernel (address, then DNS, host
// name, MTU) and settles the address after reporting it; a new lease
// replaces the old one, a reapplication only the very address applied;
// Remove takes all of it back, the MTU included.
func TestWorker(t *testing.T) {
	net := &kerneltest.Kernel{}
	var l log
	w := kernel.NewWorker(kernel.Effects{Net: net, DNS: &l, HostName: &l, Addrs: &l}, "eth0", nil)
	if refused := w.Apply(plan(2, "198.18.0.10/24")); refused != nil {
		t.Fatalf("refused %v", refused)
	}
	want := []string{"added 198.18.0.10/24 <nil>", "dns eth0", "claim h1", "settle 198.18.0.10/24"}
	if got := l.take(); !slices.Equal(got, want) {
		t.Fatalf("apply told %q, want %q", got, want)
	}
	if m, _ := net.MTU(2); m != 9000 {
		t.Fatalf("MTU %d, want 9000", m)
	}
	again := plan(2, "198.18.0.99/24")
	again.Again = true
	w.Apply(again)
	if applied, _ := net.Snapshot(); len(applied) != 1 {
		t.Fatalf("a reapplication over another address applied: %v", applied)
	}
	l.take()
	w.Apply(plan(2, "198.18.0.11/24"))
	_, removed := net.Snapshot()
	if len(removed) != 1 || removed[0].Addr.String() != "198.18.0.10/24" {
		t.Fatalf("removed %v, want the replaced lease", removed)
	}
	w.Remove()
	got := l.take()
	if !slices.Contains(got, "removed 198.18.0.11/24 <nil>") || !slices.Contains(got, "dns clear eth0") ||
		!slices.Contains(got, "release eth0") {
		t.Fatalf("remove told %q", got)
	}
	if m, _ := net.MTU(2); m != 1500 {
		t.Fatalf("MTU after remove %d, want 1500 back", m)
	}
	w.Remove() // nothing applied: nothing to do
	if _, removed := net.Snapshot(); len(removed) != 2 {
		t.Fatalf("%d removals, want 2: the replaced lease and the last, then nothing", len(removed))
	}
}

// TestWorkerRefusalsAndRemadeLink: each refusal of the kernel comes back
// on its own; a link made again (another index) has lost what the old one
// had, so the next application removes nothing.
func TestWorkerRefusalsAndRemadeLink(t *testing.T) {
	net := &kerneltest.Kernel{}
	w := kernel.NewWorker(kernel.Effects{Net: net}, "eth0", nil)
	net.SetFail(func(c kerneltest.Call) error {
		if c.Op == "Apply" && c.Ifindex == 2 {
			return errors.Join(errors.New("route 1"), errors.New("route 2"))
		}
		return nil
	})
	if refused := w.Apply(plan(2, "198.18.0.10/24")); len(refused) != 2 {
		t.Fatalf("refused %v, want the two failures", refused)
	}
	w.Apply(plan(3, "198.18.0.12/24"))
	if _, removed := net.Snapshot(); len(removed) != 0 {
		t.Fatalf("removed %v from a link that is gone", removed)
	}
	w.Remove()
	if _, removed := net.Snapshot(); len(removed) != 1 || removed[0].Ifindex != 3 {
		t.Fatalf("removed %v, want the new link's lease", removed)
	}
}

// TestWorkersKeepWhatWasApplied: a worker no one holds (its interface's
// actor gone: a deleted link, a drop) stays in the registry while it has
// something to take back, so the next actor of the name withdraws it;
// once it is taken back the worker is forgotten, and the name's next
// worker is a new one.
func TestWorkersKeepWhatWasApplied(t *testing.T) {
	net := &kerneltest.Kernel{}
	var ws kernel.Workers
	var l log
	fx := kernel.Effects{Net: net, DNS: &l}
	ws.Of(fx, "eth0", nil).Apply(plan(2, "198.18.0.10/24"))
	ws.Of(fx, "veth0", nil) // nothing applied: no one's once made
	for i := 0; i < 200 && len(ws.All()) > 1; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if n := len(ws.All()); n != 1 {
		t.Fatalf("%d workers held, want 1 (eth0, holding its lease)", n)
	}
	l.take()
	ws.Of(fx, "eth0", nil).Remove()
	if got := l.take(); !slices.Equal(got, []string{"dns clear eth0"}) {
		t.Fatalf("eth0's next worker told %q, want its DNS taken back", got)
	}
	if _, removed := net.Snapshot(); len(removed) != 1 || removed[0].Addr.String() != "198.18.0.10/24" {
		t.Fatalf("removed %v, want eth0's 198.18.0.10/24", removed)
	}
	for i := 0; i < 200 && len(ws.All()) > 0; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if n := len(ws.All()); n != 0 {
		t.Fatalf("%d workers held once eth0's lease is taken back, want 0", n)
	}
}

// TestWorkerForget: a deleted link's lease is forgotten without a kernel
// call (its address, routes and MTU went with the link, and the MTU is
// not restored), but its DNS and host name are taken back and the
// address leaves the host list; the worker then holds nothing, and a
// second Forget does nothing.
func TestWorkerForget(t *testing.T) {
	net := &kerneltest.Kernel{}
	var l log
	var ws kernel.Workers
	w := ws.Of(kernel.Effects{Net: net, DNS: &l, HostName: &l, Addrs: &l}, "eth0", nil)
	w.Apply(plan(2, "198.18.0.10/24"))
	l.take()
	var asked []string // every kernel call from now on (kerneltest.Call)
	net.SetFail(func(c kerneltest.Call) error { asked = append(asked, c.Op); return nil })
	w.Forget()
	want := []string{"removed 198.18.0.10/24 <nil>", "dns clear eth0", "release eth0"}
	if got := l.take(); !slices.Equal(got, want) {
		t.Fatalf("forget told %q, want %q", got, want)
	}
	if len(asked) != 0 {
		t.Fatalf("forget asked the kernel %v, want nothing: the link is gone", asked)
	}
	w.Forget()
	w.Remove()
	if got := l.take(); len(got) != 0 || len(asked) != 0 {
		t.Fatalf("forget then remove of nothing told %q, asked the kernel %v", got, asked)
	}
	for i := 0; i < 200 && len(ws.All()) > 0; i++ { // w is no one's now
		runtime.GC()
		runtime.Gosched()
	}
	if n := len(ws.All()); n != 0 {
		t.Fatalf("%d workers held after forget, want 0: nothing left to take back", n)
	}
}

// TestWorkerRouteRefusedAddressCounted: the kernel took the address but
// refused a route (RouteError): the host address list is told the address
// was added, so the conflict check never misses it between its Settle and
// the kernel's event; a refusal of the address itself is passed on.
func TestWorkerRouteRefusedAddressCounted(t *testing.T) {
	net := &kerneltest.Kernel{}
	var l log
	w := kernel.NewWorker(kernel.Effects{Net: net, Addrs: &l}, "eth0", nil)
	refuse := errors.Join(&kernel.RouteError{Err: errors.New("route 1")}, &kernel.RouteError{Err: errors.New("rule")})
	net.SetFail(func(c kerneltest.Call) error { return refuse })
	if refused := w.Apply(plan(2, "198.18.0.10/24")); len(refused) != 2 || refused[0].Error() != "route 1" {
		t.Fatalf("refused %v, want the two refusals as they were", refused)
	}
	want := []string{"added 198.18.0.10/24 <nil>", "settle 198.18.0.10/24"}
	if got := l.take(); !slices.Equal(got, want) {
		t.Fatalf("a route refused told %q, want %q", got, want)
	}
	addrErr := errors.New("add address: file exists")
	net.SetFail(func(c kerneltest.Call) error { return addrErr })
	w.Apply(plan(2, "198.18.0.11/24"))
	want = []string{"added 198.18.0.11/24 add address: file exists", "settle 198.18.0.11/24"}
	if got := slices.DeleteFunc(l.take(), func(s string) bool { return strings.HasPrefix(s, "removed") }); !slices.Equal(got, want) {
		t.Fatalf("the address refused told %q, want %q", got, want)
	}
}
