package dns

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestSanitize(t *testing.T) {
	in := Link{Name: "eth0", Index: 2,
		Servers: addrs("198.18.0.53", "0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255", "169.254.1.1",
			"0.1.2.3", "::ffff:198.18.0.54", "2001:db8::1", "198.18.0.53"),
		Domains: []string{"Example.COM.", "example.com", "a b", "x\nnameserver 1.2.3.4", "-bad.org", "ok-1.org",
			"_srv.ok.org", "", ".", "a..b", strings.Repeat("a", 64) + ".org"}}
	got := Sanitize(in)
	want := Link{Name: "eth0", Index: 2, Servers: addrs("198.18.0.53", "198.18.0.54"),
		Domains: []string{"example.com", "ok-1.org", "_srv.ok.org"}}
	if diff := cmp.Diff(want, got, cmpAddr); diff != "" {
		t.Fatalf("Sanitize (-want +got):\n%s", diff)
	}
	many := Link{Name: "eth0"}
	for i := range 40 {
		many.Servers = append(many.Servers, netip.AddrFrom4([4]byte{198, 18, 0, byte(i + 1)}))
		many.Domains = append(many.Domains, "d"+strings.Repeat("x", i)+".org")
	}
	if got := Sanitize(many); len(got.Servers) != MaxServers || len(got.Domains) != MaxDomains {
		t.Fatalf("caps: %d servers %d domains", len(got.Servers), len(got.Domains))
	}
}

func TestMergePrimaryFirstDeduplicated(t *testing.T) {
	links := []Link{
		{Name: "eth0", Servers: addrs("198.18.0.53", "198.18.9.9"), Domains: []string{"a.org", "shared.org"}},
		{Name: "eth2", Primary: true, Servers: addrs("198.18.2.53", "198.18.9.9"), Domains: []string{"shared.org", "c.org"}},
		{Name: "eth1", Servers: addrs("198.18.1.53"), Domains: []string{"b.org"}},
	}
	servers, domains := Merge(links)
	if diff := cmp.Diff(addrs("198.18.2.53", "198.18.9.9", "198.18.0.53", "198.18.1.53"), servers, cmpAddr); diff != "" {
		t.Errorf("servers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"shared.org", "c.org", "a.org", "b.org"}, domains); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
}

// FuzzRender: whatever a server sends, the file holds only the agent's
// comments and well-formed nameserver and search lines.
func FuzzRender(f *testing.F) {
	f.Add("198.18.0.53", "example.com", "x\nnameserver 6.6.6.6")
	f.Add("::ffff:1.2.3.4", "a.b.c", "")
	f.Add("", "\x00", "search evil")
	f.Fuzz(func(t *testing.T, server, d1, d2 string) {
		l := Link{Name: "eth0", Domains: []string{d1, d2}}
		if a, err := netip.ParseAddr(server); err == nil {
			l.Servers = []netip.Addr{a}
		}
		l = Sanitize(l)
		for _, line := range strings.Split(strings.TrimSuffix(string(Render([]Link{l})), "\n"), "\n") {
			switch {
			case strings.HasPrefix(line, "# "):
			case strings.HasPrefix(line, "nameserver "):
				a, err := netip.ParseAddr(strings.TrimPrefix(line, "nameserver "))
				if err != nil || !a.Is4() {
					t.Fatalf("bad nameserver line %q", line)
				}
			case strings.HasPrefix(line, "search "):
				for _, d := range strings.Fields(strings.TrimPrefix(line, "search ")) {
					if !ValidDomain(d) {
						t.Fatalf("bad search domain %q in %q", d, line)
					}
				}
			default:
				t.Fatalf("unexpected line %q", line)
			}
		}
	})
}

// recorder is a Backend that records its calls.
type recorder struct{ calls []string }

func (r *recorder) Set(all []Link, l Link) error {
	r.calls = append(r.calls, "set "+l.Name+" of "+names(all))
	return nil
}

func (r *recorder) Revert(all []Link, l Link) error {
	r.calls = append(r.calls, "revert "+l.Name+" of "+names(all))
	return nil
}

func names(links []Link) string {
	var s []string
	for _, l := range links {
		s = append(s, l.Name)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// TestManagerAppliesChangesOnly: unchanged DNS is not applied again, an
// interface with nothing usable is a clear, and Close applies what is
// pending before it returns.
func TestManagerAppliesChangesOnly(t *testing.T) {
	r := &recorder{}
	m := NewManager(r, nil)
	m.Set(Link{Name: "eth0", Servers: addrs("198.18.0.53")})
	m.Wait()
	m.Set(Link{Name: "eth0", Servers: addrs("198.18.0.53", "127.0.0.1")}) // the same once sanitized
	m.Set(Link{Name: "eth1", Primary: true, Domains: []string{"one.example"}})
	m.Wait()
	m.Set(Link{Name: "eth2", Servers: addrs("0.0.0.0")}) // nothing usable: never set
	m.Clear("eth0")
	m.Wait()
	m.Clear("eth1")
	m.Close(5 * time.Second)
	want := []string{"set eth0 of [eth0]", "set eth1 of [eth1 eth0]", "revert eth0 of [eth1]", "revert eth1 of []"}
	if diff := cmp.Diff(want, r.calls); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}
}
