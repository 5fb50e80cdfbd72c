package agent

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ifNames names interfaces by index for the metrics' labels: one
// SIOCGIFNAME ioctl on a miss (no link dump), cached for ifNameTTL so a
// renamed or re-created link is seen within that time, and at most
// maxIfNames entries.
type ifNames struct {
	mu    sync.Mutex
	cache map[int]ifName
	now   func() time.Time
}

type ifName struct {
	name string
	at   time.Time
}

const (
	ifNameTTL  = time.Minute
	maxIfNames = 4096
)

func newIfNames() *ifNames { return &ifNames{cache: make(map[int]ifName), now: time.Now} }

func (n *ifNames) name(index int) string {
	now := n.now()
	n.mu.Lock()
	c, ok := n.cache[index]
	n.mu.Unlock()
	if ok && now.Sub(c.at) < ifNameTTL {
		return c.name
	}
	name := lookupIfName(index)
	n.mu.Lock()
	if len(n.cache) >= maxIfNames {
		clear(n.cache)
	}
	n.cache[index] = ifName{name: name, at: now}
	n.mu.Unlock()
	return name
}

// lookupIfName asks the kernel for the name of an ifindex; "" when none.
func lookupIfName(index int) string {
	if index <= 0 {
		return ""
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("")
	if err != nil {
		return ""
	}
	ifr.SetUint32(uint32(index))
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFNAME, ifr); err != nil {
		return ""
	}
	return ifr.Name()
}
