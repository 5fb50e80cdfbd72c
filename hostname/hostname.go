// Package hostname sets the kernel host name from the primary interface's
// lease (SPEC §2 SET_HOSTNAME=yes) and gives the name the host had back when
// that interface lets go.
//
// One Keeper is shared by every interface actor: only the interface that
// set the name may put the old one back, so that a second interface ending
// never undoes the first's name.
package hostname

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// maxLen is the kernel's limit (HOST_NAME_MAX).
const maxLen = 64

// ErrInvalid is returned for a name a server sent that is no host name.
var ErrInvalid = errors.New("not a valid host name")

// Keeper owns the kernel host name on behalf of one interface at a time.
type Keeper struct {
	// Get and Set read and write the kernel's name; nil means uname(2) and
	// sethostname(2) (tests substitute fakes).
	Get func() (string, error)
	Set func(string) error

	mu    sync.Mutex
	owner string // interface whose lease named the host, "" when none
	orig  string // the name before the first Claim
}

// Valid reports whether name is a host name to set: RFC 1123 labels of
// letters, digits and '-', 64 characters at most.
func Valid(name string) bool {
	if name == "" || len(name) > maxLen {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Claim sets the host name to name for ifname, remembering the name the
// host had when no interface held it.
func (k *Keeper) Claim(ifname, name string) error {
	name = strings.TrimSuffix(name, ".")
	if !Valid(name) {
		return fmt.Errorf("host name %q: %w", name, ErrInvalid)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.owner == "" {
		cur, err := k.get()
		if err != nil {
			return fmt.Errorf("read the host name: %w", err)
		}
		k.orig = cur
	}
	if err := k.set(name); err != nil {
		return fmt.Errorf("set the host name %q: %w", name, err)
	}
	k.owner = ifname
	return nil
}

// Release puts the remembered name back if ifname set the current one.
func (k *Keeper) Release(ifname string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.owner != ifname || ifname == "" {
		return nil
	}
	k.owner = ""
	if err := k.set(k.orig); err != nil {
		return fmt.Errorf("restore the host name %q: %w", k.orig, err)
	}
	return nil
}

func (k *Keeper) get() (string, error) {
	if k.Get != nil {
		return k.Get()
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", err
	}
	return unix.ByteSliceToString(u.Nodename[:]), nil
}

func (k *Keeper) set(name string) error {
	if k.Set != nil {
		return k.Set(name)
	}
	return unix.Sethostname([]byte(name))
}
