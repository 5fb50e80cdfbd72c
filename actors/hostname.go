package actors

import (
	"go.uber.org/zap"
)

// HostNamer sets the kernel host name for one interface at a time
// (hostname.Keeper).
type HostNamer interface {
	Claim(ifname, name string) error
	Release(ifname string) error
}

// planHostname is the host name the interface is to hold: option 12 of
// the primary interface's lease when SET_HOSTNAME=yes (SPEC §2); "" for
// any other interface, or a primary whose lease names no host, which
// gives a name it had set back.
func (a *iface) planHostname(name string) string {
	if !a.inc.primary || !a.env.Cfg().Bool(a.link.Name, "SET_HOSTNAME") {
		return ""
	}
	return name
}

// setHostname claims name for the interface, or gives its name back for
// ""; on the kernel worker (kernelwork.go).
func (k *kernelWork) setHostname(name string) {
	h := k.env.HostName
	switch {
	case h == nil:
	case name == "":
		if err := h.Release(k.name); err != nil {
			k.log.Warn("restoring the host name failed", zap.Error(err))
		}
	default:
		if err := h.Claim(k.name, name); err != nil {
			k.log.Warn("setting the host name failed", zap.Error(err))
			return
		}
		k.log.Info("host name set from the lease", zap.String("hostname", name))
	}
}
