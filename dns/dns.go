package dns

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Caps on what one interface contributes: glibc reads 3 name servers and
// (before 2.26) 6 search domains; a few more are kept for other resolvers.
const (
	MaxServers = 8
	MaxDomains = 16
	maxDomain  = 253 // RFC 1035 §2.3.4, in text form without the final dot
)

// Link is the DNS one interface holds.
type Link struct {
	Name    string
	Index   int
	Primary bool
	Servers []netip.Addr
	Domains []string
}

// Empty reports whether l holds nothing for the resolver.
func (l Link) Empty() bool { return len(l.Servers) == 0 && len(l.Domains) == 0 }

// Sanitize returns l with only usable servers (unicast IPv4, not 0/8,
// loopback, link-local, multicast or class E) and well-formed domain names
// (RFC 1123 labels, underscores allowed), deduplicated and capped.
func Sanitize(l Link) Link {
	out := Link{Name: l.Name, Index: l.Index, Primary: l.Primary}
	for _, a := range l.Servers {
		a = a.Unmap()
		if len(out.Servers) < MaxServers && usableServer(a) && !slices.Contains(out.Servers, a) {
			out.Servers = append(out.Servers, a)
		}
	}
	for _, d := range l.Domains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if len(out.Domains) < MaxDomains && ValidDomain(d) && !slices.Contains(out.Domains, d) {
			out.Domains = append(out.Domains, d)
		}
	}
	return out
}

func usableServer(a netip.Addr) bool {
	if !a.Is4() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsUnspecified() {
		return false
	}
	b := a.As4()
	return b[0] != 0 && b[0] < 240
}

// ValidDomain reports whether d is a domain name a resolver configuration
// may carry: dot-separated labels of 1-63 letters, digits, '-' or '_', not
// starting or ending with '-', 253 characters at most.
func ValidDomain(d string) bool {
	if d == "" || len(d) > maxDomain {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Merge returns the servers and domains of links, the primary interface's
// first, then by name, each once.
func Merge(links []Link) (servers []netip.Addr, domains []string) {
	for _, l := range Ordered(links) {
		for _, a := range l.Servers {
			if !slices.Contains(servers, a) {
				servers = append(servers, a)
			}
		}
		for _, d := range l.Domains {
			if !slices.Contains(domains, d) {
				domains = append(domains, d)
			}
		}
	}
	return servers, domains
}

// Ordered returns links with the primary first, then by name.
func Ordered(links []Link) []Link {
	out := slices.Clone(links)
	slices.SortFunc(out, func(a, b Link) int {
		if a.Primary != b.Primary {
			if a.Primary {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Backend applies DNS to the host. Both calls get every link that holds
// DNS now (after the change) besides the one that changed.
type Backend interface {
	// Set gives l's DNS to the resolver.
	Set(all []Link, l Link) error
	// Revert takes back what Set gave for l (the last Link Set was given).
	Revert(all []Link, l Link) error
}

// Manager applies the DNS of the interfaces through a Backend, on a
// goroutine of its own.
type Manager struct {
	backend Backend
	report  func(ifname string, err error)

	mu      sync.Mutex
	want    map[string]Link // what each interface holds now
	dirty   map[string]bool // interfaces changed since the worker's last pass
	busy    bool            // the worker is applying
	closed  bool
	kick    chan struct{}
	idle    *sync.Cond
	applied map[string]Link // what the backend was last given; worker only
	stopped chan struct{}
}

// NewManager starts a Manager over b; report hears of every failed
// application (the agent logs it).
func NewManager(b Backend, report func(ifname string, err error)) *Manager {
	m := &Manager{backend: b, report: report, want: map[string]Link{}, dirty: map[string]bool{},
		kick: make(chan struct{}, 1), applied: map[string]Link{}, stopped: make(chan struct{})}
	m.idle = sync.NewCond(&m.mu)
	go m.run()
	return m
}

// Set records l's DNS (sanitized) and wakes the worker; a Link with
// nothing in it is a Clear. It never blocks.
func (m *Manager) Set(l Link) {
	l = Sanitize(l)
	m.mu.Lock()
	defer m.mu.Unlock()
	if l.Empty() {
		delete(m.want, l.Name)
	} else {
		m.want[l.Name] = l
	}
	m.dirty[l.Name] = true
	m.wake()
}

// Clear records that the interface holds no DNS any more.
func (m *Manager) Clear(ifname string) { m.Set(Link{Name: ifname}) }

func (m *Manager) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Close applies what is pending, waiting at most timeout, and stops the
// worker. The agent calls it after every interface has been given up, so
// that the resolver is left as the agent found it.
func (m *Manager) Close(timeout time.Duration) {
	m.mu.Lock()
	m.closed = true
	m.wake()
	m.mu.Unlock()
	select {
	case <-m.stopped:
	case <-time.After(timeout):
	}
}

// Wait blocks until the worker has applied everything recorded so far.
func (m *Manager) Wait() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.dirty) > 0 || m.busy {
		m.idle.Wait()
	}
}

func (m *Manager) run() {
	defer close(m.stopped)
	for range m.kick {
		m.mu.Lock()
		dirty := m.dirty
		m.dirty = map[string]bool{}
		want := make(map[string]Link, len(m.want))
		for k, v := range m.want {
			want[k] = v
		}
		closed := m.closed
		m.busy = true
		m.mu.Unlock()

		m.apply(dirty, want)

		m.mu.Lock()
		m.busy = false
		m.idle.Broadcast()
		done := closed && len(m.dirty) == 0
		m.mu.Unlock()
		if done {
			return
		}
	}
}

// apply hands the backend each changed interface, the removals first.
func (m *Manager) apply(dirty map[string]bool, want map[string]Link) {
	all := make([]Link, 0, len(want))
	for _, l := range want {
		all = append(all, l)
	}
	all = Ordered(all)
	names := make([]string, 0, len(dirty))
	for name := range dirty {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		old, had := m.applied[name]
		l, has := want[name]
		var err error
		switch {
		case has && (!had || !equal(old, l)):
			err = m.backend.Set(all, l)
			m.applied[name] = l
		case !has && had:
			err = m.backend.Revert(all, old)
			delete(m.applied, name)
		}
		if err != nil && m.report != nil {
			m.report(name, err)
		}
	}
}

func equal(a, b Link) bool {
	return a.Name == b.Name && a.Index == b.Index && a.Primary == b.Primary &&
		slices.Equal(a.Servers, b.Servers) && slices.Equal(a.Domains, b.Domains)
}
