package agent

import (
	"context"
	"os"

	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/config"
	"go.uber.org/zap"
)

// reloadOnHUP re-reads the configuration on SIGHUP. A file that does not
// parse, or that config.Load refuses at once (not a regular file, too
// large, one another user could have written unless o.InsecureConfig),
// leaves the running configuration in place (SPEC §1).
func reloadOnHUP(ctx context.Context, hup <-chan os.Signal, o Options, env *actors.Env, changed func()) {
	load := config.Load
	if o.InsecureConfig {
		load = config.LoadUntrusted
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		cfg, err := load(o.ConfigPath)
		if err != nil {
			o.Log.Error("configuration not reloaded; keeping the old one", zap.Error(err))
			continue
		}
		env.Config.Store(cfg)
		o.Log.Info("configuration reloaded", zap.String("config", o.ConfigPath))
		changed()
	}
}
