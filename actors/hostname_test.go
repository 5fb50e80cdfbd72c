package actors

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/insomniacslk/dhcp/dhcpv4"
)

// fakeHostNamer records claims and releases.
type fakeHostNamer struct {
	mu    sync.Mutex
	calls []string
}

func (h *fakeHostNamer) Claim(ifname, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "claim "+ifname+" "+name)
	return nil
}

func (h *fakeHostNamer) Release(ifname string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "release "+ifname)
	return nil
}

func (h *fakeHostNamer) claims() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(h.calls), func(s string) bool { return !strings.HasPrefix(s, "claim") })
}

func TestSetHostnameFromThePrimaryOnly(t *testing.T) {
	w := newWorld(t, fast+"# hostname\nSET_HOSTNAME=yes\n")
	name := dhcpv4.WithOption(dhcpv4.OptHostName("web1"))
	w.bindWith("eth1", false, name, dhcpv4.WithOption(dhcpv4.OptHostName("other")))
	w.bindWith("eth0", true, name)
	if got := w.host.claims(); !slices.Equal(got, []string{"claim eth0 web1"}) {
		t.Fatalf("claims %v, want only the primary's", got)
	}
	w.do(ipc.CmdDrop, "eth0")
	w.host.mu.Lock()
	last := w.host.calls[len(w.host.calls)-1]
	w.host.mu.Unlock()
	if last != "release eth0" {
		t.Fatalf("last call %q after the primary's drop, want its release", last)
	}
}

func TestSetHostnameOff(t *testing.T) {
	w := newWorld(t, fast+"# hostname\n")
	w.bindWith("eth0", true, dhcpv4.WithOption(dhcpv4.OptHostName("web1")))
	if got := w.host.claims(); len(got) != 0 {
		t.Fatalf("claims %v without SET_HOSTNAME", got)
	}
}
