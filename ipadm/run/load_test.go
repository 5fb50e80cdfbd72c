package run

import (
	"errors"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipadm"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

type loader struct {
	c   *ipadm.Config
	err error
}

func (l loader) LoadIPAdm() (*ipadm.Config, error) { return l.c, l.err }

// The admin actor starts from what the store holds; with no store, or
// one that cannot be read (logged), from an empty configuration.
func TestLoad(t *testing.T) {
	held := ipadm.NewConfig()
	held.Interfaces["eth1"] = ipadm.Interface{}
	for _, tc := range []struct {
		name   string
		st     Loader
		want   *ipadm.Config // nil: an empty one
		logged bool
	}{
		{"held", loader{c: held}, held, false},
		{"no store", nil, nil, false},
		{"unreadable", loader{c: held, err: errors.New("disk on fire")}, nil, true},
	} {
		core, logs := observer.New(zap.DebugLevel)
		got := Load(tc.st, zap.New(core))
		switch {
		case tc.want != nil && got != tc.want:
			t.Errorf("%s: Load = %+v, want the store's %+v", tc.name, got, tc.want)
		case tc.want == nil && (got == nil || got == held || len(got.Interfaces) != 0 || len(got.Addresses) != 0 ||
			got.Interfaces == nil || got.Addresses == nil):
			t.Errorf("%s: Load = %+v, want an empty configuration", tc.name, got)
		}
		all := logs.All()
		if tc.logged != (len(all) == 1) || len(all) > 1 ||
			(tc.logged && (all[0].Level != zapcore.ErrorLevel || all[0].ContextMap()["error"] != "disk on fire")) {
			t.Errorf("%s: logged %v, want an error: %v", tc.name, all, tc.logged)
		}
	}
}
