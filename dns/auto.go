package dns

import (
	"fmt"
	"os/exec"
	"sync"
	"time"
)

// Open returns the backend for a DNS= mode (SPEC §2): nil for "no".
// resolvConf is RESOLV_CONF; stateDir keeps the file it replaces.
func Open(mode, resolvConf, stateDir string) (Backend, error) {
	switch mode {
	case "no":
		return nil, nil
	case "file":
		return &File{Path: resolvConf, Saved: stateDir + "/resolv.conf.orig"}, nil
	case "resolvconf":
		return &Resolvconf{}, nil
	case "resolved":
		return &Resolved{}, nil
	case "", "auto":
		return &Auto{}, nil
	}
	return nil, fmt.Errorf("DNS=%s: want auto, resolved, resolvconf, file or no", mode)
}

// Auto is DNS=auto: systemd-resolved when its D-Bus name has an owner, else
// resolvconf(8) when it is installed, else nothing. The choice is made at
// the first use, on the Manager's worker, and kept.
type Auto struct {
	// Dial and Timeout are Resolved's; LookPath finds resolvconf
	// (exec.LookPath when nil).
	Dial     Dial
	Timeout  time.Duration
	LookPath func(string) (string, error)

	once   sync.Once
	chosen Backend // nil: nothing to hand DNS to
}

// Chosen returns the backend Auto picked, nil for none.
func (a *Auto) Chosen() Backend {
	a.once.Do(func() {
		look := a.LookPath
		if look == nil {
			look = exec.LookPath
		}
		switch {
		case HasOwner(a.Dial, a.Timeout, ResolvedName):
			a.chosen = &Resolved{Dial: a.Dial, Timeout: a.Timeout}
		default:
			if path, err := look("resolvconf"); err == nil {
				a.chosen = &Resolvconf{Command: path}
			}
		}
	})
	return a.chosen
}

// Set hands l to the chosen backend.
func (a *Auto) Set(all []Link, l Link) error {
	if b := a.Chosen(); b != nil {
		return b.Set(all, l)
	}
	return nil
}

// Revert hands l's revert to the chosen backend.
func (a *Auto) Revert(all []Link, l Link) error {
	if b := a.Chosen(); b != nil {
		return b.Revert(all, l)
	}
	return nil
}
