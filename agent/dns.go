package agent

import (
	"time"

	"github.com/dhcpagent/dhcpagent/dns"
	"go.uber.org/zap"
)

// dnsCloseWait bounds the last DNS changes at shutdown.
const dnsCloseWait = 15 * time.Second

// openDNS starts the DNS manager for the configuration's DNS= (SPEC §2),
// read at start-up; nil for DNS=no.
func openDNS(o Options) (*dns.Manager, error) {
	b, err := dns.Open(o.Config.Get("", "DNS"), o.Config.Get("", "RESOLV_CONF"), o.StateDir)
	if err != nil || b == nil {
		return nil, err
	}
	log := o.Log
	return dns.NewManager(b, func(ifname string, err error) {
		log.Warn("applying DNS failed", zap.String("iface", ifname), zap.Error(err))
	}), nil
}
