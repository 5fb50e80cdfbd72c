package run

import (
	"github.com/dhcpagent/dhcpagent/ipadm"
	"go.uber.org/zap"
)

// Loader reads the persistent configuration (store.Store's ipadm.json).
type Loader interface {
	LoadIPAdm() (*ipadm.Config, error)
}

// Load is the persistent configuration the admin actor starts from: what
// st holds, else an empty one (no store, or reading it failed: logged on
// log, and the agent runs on with no objects).
func Load(st Loader, log *zap.Logger) *ipadm.Config {
	persist := ipadm.NewConfig()
	if st != nil {
		if c, err := st.LoadIPAdm(); err != nil {
			log.Error("reading the interface configuration failed", zap.Error(err))
		} else {
			persist = c
		}
	}
	return persist
}
