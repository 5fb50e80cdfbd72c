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

// applyHostname sets the host name from option 12 of the primary
// interface's lease when SET_HOSTNAME=yes (SPEC §2); any other interface,
// or a primary whose lease names no host, gives a name it had set back.
func (a *iface) applyHostname(name string) {
	if a.env.HostName == nil {
		return
	}
	if !a.inc.primary || name == "" || !a.env.Cfg().Bool(a.link.Name, "SET_HOSTNAME") {
		a.releaseHostname()
		return
	}
	if err := a.env.HostName.Claim(a.link.Name, name); err != nil {
		a.log.Warn("setting the host name failed", zap.Error(err))
		return
	}
	a.log.Info("host name set from the lease", zap.String("hostname", name))
}

func (a *iface) releaseHostname() {
	if a.env.HostName == nil {
		return
	}
	if err := a.env.HostName.Release(a.link.Name); err != nil {
		a.log.Warn("restoring the host name failed", zap.Error(err))
	}
}
