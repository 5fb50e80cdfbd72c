package ipadm

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/dhcpagent/dhcpagent/ipc"
	"github.com/google/go-cmp/cmp"
)

// fixture: eth0 active and persistent (v4, v6) with a static, a DHCP and a
// temporary IPv6 static object; eth1 temporary (v4) with a temporary
// static; eth2 persistent only (disabled) with a static; eth3 active and
// persistent, v4 only.
func fixture() Configs {
	c := NewConfigs()
	both, v4 := []string{V4, V6}, []string{V4}
	s := Address{Object: "eth0/s", Ifname: "eth0", Type: Static, Addr: netip.MustParsePrefix("198.18.9.9/24")}
	d := Address{Object: "eth0/d", Ifname: "eth0", Type: DHCP, WaitMs: -1, Hostname: "node9"}
	s6 := Address{Object: "eth0/s6", Ifname: "eth0", Type: Static, Addr: netip.MustParsePrefix("2001:db8::5/64")}
	t := Address{Object: "eth1/t", Ifname: "eth1", Type: Static, Addr: netip.MustParsePrefix("198.18.8.8/24")}
	s2 := Address{Object: "eth2/s", Ifname: "eth2", Type: Static, Addr: netip.MustParsePrefix("198.18.2.2/24")}
	for _, cfg := range []*Config{c.Active, c.Persist} {
		cfg.Interfaces["eth0"] = Interface{Name: "eth0", Families: both}
		cfg.Interfaces["eth3"] = Interface{Name: "eth3", Families: v4}
		cfg.Addresses["eth0/s"], cfg.Addresses["eth0/d"] = s, d
	}
	c.Active.Interfaces["eth1"] = Interface{Name: "eth1", Families: v4}
	c.Active.Addresses["eth0/s6"], c.Active.Addresses["eth1/t"] = s6, t
	c.Persist.Interfaces["eth2"] = Interface{Name: "eth2", Families: both}
	c.Persist.Addresses["eth2/s"] = s2
	return c
}

// summary is a configuration in one line: interfaces with their families,
// then address objects, by name.
func summary(c *Config) string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(c.Interfaces)) {
		out = append(out, n+":"+strings.Join(c.Interfaces[n].Families, ","))
	}
	return strings.Join(append(out, slices.Sorted(maps.Keys(c.Addresses))...), " ")
}

// show is a step in one line.
func show(s Step) string {
	out := s.Op.String()
	switch s.Op {
	case Plumb:
		out += " " + s.If.Name + "=" + strings.Join(s.If.Families, ",")
	case Unplumb:
		out += " " + s.If.Name + "-" + strings.Join(s.Drop, ",") + "=" + strings.Join(s.If.Families, ",")
	case Save:
		out += " {" + summary(s.Config) + "}"
	default:
		out += " " + s.Addr.Object
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{s.BestEffort, "best"}, {s.Temporary, "temporary"}, {s.Boot, "boot"}, {s.Release, "release"},
		{s.Answers, "answers(" + string(s.OK) + ")"}} {
		if f.on {
			out += " " + f.name
		}
	}
	return out
}

func showPlan(p Plan) []string {
	var out []string
	for _, s := range p.Steps {
		out = append(out, show(s))
	}
	return out
}

// withPersisted is c with ad in a copy of its persistent configuration.
func withPersisted(c Configs, ad Address) Configs {
	p := c.Persist.Clone()
	p.Addresses[ad.Object] = ad
	return Configs{Persist: p, Active: c.Active}
}

// after is where every step succeeding leaves c.
func after(c Configs, plans ...Plan) Configs {
	for _, p := range plans {
		for _, s := range p.Steps {
			c = c.Commit(s, true)
		}
	}
	return c
}

const (
	persist0 = "eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/d eth0/s eth2/s"
	active0  = "eth0:v4,v6 eth1:v4 eth3:v4 eth0/d eth0/s eth0/s6 eth1/t"
)

// TestDecisions: every command against every kind of existing object
// (none, active and persistent, temporary, persistent only, one family),
// with its steps and the configurations once they all succeed, or its
// code.
func TestDecisions(t *testing.T) {
	for _, tc := range []struct {
		name         string
		decide       func(Configs) (Plan, error)
		steps        []string
		code         ipc.Code
		active, pers string // after; "" for unchanged
	}{
		// create-if
		{name: "create-if new", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth5", "", false) },
			steps:  []string{"plumb eth5=v4,v6", "save {eth0:v4,v6 eth2:v4,v6 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth2/s}"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth0/s6 eth1/t",
			pers:   "eth0:v4,v6 eth2:v4,v6 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth2/s"},
		{name: "create-if -t new", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth5", "v4", true) },
			steps:  []string{"plumb eth5=v4"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth5:v4 eth0/d eth0/s eth0/s6 eth1/t"},
		{name: "create-if active", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth0", "", false) }, code: ipc.ErrExists},
		{name: "create-if -t active", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth0", "v6", true) }, code: ipc.ErrExists},
		{name: "create-if the family it has", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth3", "v4", false) }, code: ipc.ErrExists},
		{name: "create-if both on one family", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth3", "", false) }, code: ipc.ErrExists},
		{name: "create-if -f v6 after -f v4", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth3", "v6", false) },
			steps:  []string{"plumb eth3=v4,v6", "save {eth0:v4,v6 eth2:v4,v6 eth3:v4,v6 eth0/d eth0/s eth2/s}"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4,v6 eth0/d eth0/s eth0/s6 eth1/t",
			pers:   "eth0:v4,v6 eth2:v4,v6 eth3:v4,v6 eth0/d eth0/s eth2/s"},
		{name: "create-if -f v6 persists v6 of a temporary", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth1", "v6", false) },
			steps:  []string{"plumb eth1=v4,v6", "save {eth0:v4,v6 eth1:v6 eth2:v4,v6 eth3:v4 eth0/d eth0/s eth2/s}"},
			active: "eth0:v4,v6 eth1:v4,v6 eth3:v4 eth0/d eth0/s eth0/s6 eth1/t",
			pers:   "eth0:v4,v6 eth1:v6 eth2:v4,v6 eth3:v4 eth0/d eth0/s eth2/s"},
		{name: "create-if disabled", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth2", "", false) }, code: ipc.ErrDisabled},
		{name: "create-if -t disabled", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth2", "", true) }, code: ipc.ErrDisabled},
		{name: "create-if bad name", decide: func(c Configs) (Plan, error) { return c.CreateIf("a/b", "", false) }, code: ipc.ErrInvalid},
		{name: "create-if too long", decide: func(c Configs) (Plan, error) { return c.CreateIf("sixteen-chars-xx", "", false) }, code: ipc.ErrInvalid},
		{name: "create-if bad family", decide: func(c Configs) (Plan, error) { return c.CreateIf("eth5", "v5", false) }, code: ipc.ErrInvalid},

		// delete-if
		{name: "delete-if", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth0", "") },
			steps: []string{"drop-dhcp eth0/d best", "remove-static eth0/s best", "remove-static eth0/s6 best",
				"unplumb eth0-v4,v6= best", "save {eth2:v4,v6 eth3:v4 eth2/s}"},
			active: "eth1:v4 eth3:v4 eth1/t", pers: "eth2:v4,v6 eth3:v4 eth2/s"},
		{name: "delete-if -f v6", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth0", "v6") },
			steps:  []string{"remove-static eth0/s6 best", "unplumb eth0-v6=v4 best", "save {eth0:v4 eth2:v4,v6 eth3:v4 eth0/d eth0/s eth2/s}"},
			active: "eth0:v4 eth1:v4 eth3:v4 eth0/d eth0/s eth1/t", pers: "eth0:v4 eth2:v4,v6 eth3:v4 eth0/d eth0/s eth2/s"},
		{name: "delete-if -f v4", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth0", "v4") },
			steps:  []string{"drop-dhcp eth0/d best", "remove-static eth0/s best", "unplumb eth0-v4=v6 best", "save {eth0:v6 eth2:v4,v6 eth3:v4 eth2/s}"},
			active: "eth0:v6 eth1:v4 eth3:v4 eth0/s6 eth1/t", pers: "eth0:v6 eth2:v4,v6 eth3:v4 eth2/s"},
		{name: "delete-if of a v4-only object leaves IPv6 alone", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth3", "") },
			steps:  []string{"unplumb eth3-v4= best", "save {eth0:v4,v6 eth2:v4,v6 eth0/d eth0/s eth2/s}"},
			active: "eth0:v4,v6 eth1:v4 eth0/d eth0/s eth0/s6 eth1/t", pers: "eth0:v4,v6 eth2:v4,v6 eth0/d eth0/s eth2/s"},
		{name: "delete-if -f v6 of a v4-only object", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth3", "v6") },
			steps: []string{"save {" + persist0 + "}"}},
		{name: "delete-if temporary", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth1", "") },
			steps:  []string{"remove-static eth1/t best", "unplumb eth1-v4= best"},
			active: "eth0:v4,v6 eth3:v4 eth0/d eth0/s eth0/s6"},
		{name: "delete-if disabled", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth2", "") },
			steps: []string{"save {eth0:v4,v6 eth3:v4 eth0/d eth0/s}"}, pers: "eth0:v4,v6 eth3:v4 eth0/d eth0/s"},
		{name: "delete-if unknown", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth5", "") }, code: ipc.ErrNotFound},
		{name: "delete-if bad family", decide: func(c Configs) (Plan, error) { return c.DeleteIf("eth0", "v5") }, code: ipc.ErrInvalid},
		{name: "delete-if bad name", decide: func(c Configs) (Plan, error) { return c.DeleteIf("a b", "") }, code: ipc.ErrInvalid},

		// enable-if
		{name: "enable-if disabled", decide: func(c Configs) (Plan, error) { return c.EnableIf("eth2", false) },
			steps:  []string{"plumb eth2=v4,v6", "add-static eth2/s best"},
			active: "eth0:v4,v6 eth1:v4 eth2:v4,v6 eth3:v4 eth0/d eth0/s eth0/s6 eth1/t eth2/s"},
		{name: "enable-if active", decide: func(c Configs) (Plan, error) { return c.EnableIf("eth0", false) }, code: ipc.ErrExists},
		{name: "enable-if temporary", decide: func(c Configs) (Plan, error) { return c.EnableIf("eth1", false) }, code: ipc.ErrNotFound},
		{name: "enable-if unknown", decide: func(c Configs) (Plan, error) { return c.EnableIf("eth5", false) }, code: ipc.ErrNotFound},
		{name: "enable-if bad name", decide: func(c Configs) (Plan, error) { return c.EnableIf("..", false) }, code: ipc.ErrInvalid},

		// disable-if
		{name: "disable-if", decide: func(c Configs) (Plan, error) { return c.DisableIf("eth0") },
			steps:  []string{"drop-dhcp eth0/d best", "remove-static eth0/s best", "remove-static eth0/s6 best", "unplumb eth0-v4,v6= best"},
			active: "eth1:v4 eth3:v4 eth1/t"},
		{name: "disable-if temporary", decide: func(c Configs) (Plan, error) { return c.DisableIf("eth1") },
			steps: []string{"remove-static eth1/t best", "unplumb eth1-v4= best"}, active: "eth0:v4,v6 eth3:v4 eth0/d eth0/s eth0/s6"},
		{name: "disable-if disabled", decide: func(c Configs) (Plan, error) { return c.DisableIf("eth2") }, code: ipc.ErrNotFound},
		{name: "disable-if unknown", decide: func(c Configs) (Plan, error) { return c.DisableIf("eth5") }, code: ipc.ErrNotFound},

		// create-addr
		{name: "create-addr static", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth3/s", Type: Static, Address: "198.18.3.3/24"})
		},
			steps:  []string{"add-static eth3/s", "save {" + persist0 + " eth3/s}"},
			active: active0 + " eth3/s", pers: persist0 + " eth3/s"},
		{name: "create-addr -t static", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth3/s", Type: Static, Address: "198.18.3.3/24", Temporary: true})
		},
			steps: []string{"add-static eth3/s"}, active: active0 + " eth3/s"},
		{name: "create-addr IPv6 on a v4-only interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth3/s", Type: Static, Address: "2001:db8::1/64"})
		}, code: ipc.ErrInvalid},
		{name: "create-addr creates the interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth5/s", Type: Static, Address: "198.18.5.5/24"})
		},
			steps:  []string{"plumb eth5=v4,v6", "add-static eth5/s", "save {eth0:v4,v6 eth2:v4,v6 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth2/s eth5/s}"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth0/s6 eth1/t eth5/s",
			pers:   "eth0:v4,v6 eth2:v4,v6 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth2/s eth5/s"},
		{name: "create-addr -t creates a temporary interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth5/s", Type: Static, Address: "198.18.5.5/24", Temporary: true})
		},
			steps:  []string{"plumb eth5=v4,v6", "add-static eth5/s"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth0/s6 eth1/t eth5/s"},
		{name: "create-addr on a temporary interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth1/s", Type: Static, Address: "198.18.1.1/24"})
		}, code: ipc.ErrInvalid},
		{name: "create-addr -t on a temporary interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth1/s", Type: Static, Address: "198.18.1.1/24", Temporary: true})
		},
			steps: []string{"add-static eth1/s"}, active: "eth0:v4,v6 eth1:v4 eth3:v4 eth0/d eth0/s eth0/s6 eth1/s eth1/t"},
		{name: "create-addr exists", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth0/s", Type: Static, Address: "198.18.9.9/24"})
		}, code: ipc.ErrExists},
		{name: "create-addr persistent only", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth2/s", Type: Static, Address: "198.18.2.2/24"})
		}, code: ipc.ErrDisabled},
		{name: "create-addr on a disabled interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth2/x", Type: DHCP})
		}, code: ipc.ErrDisabled},
		{name: "create-addr dhcp", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth3/d", Type: DHCP, Hostname: "h", WaitMs: 10000})
		},
			steps:  []string{"save {" + persist0 + " eth3/d}", "start-dhcp eth3/d answers(RUNNING)"},
			active: active0 + " eth3/d", pers: persist0 + " eth3/d"},
		{name: "create-addr -t dhcp creates a temporary interface", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth5/d", Type: DHCP, Temporary: true})
		},
			steps:  []string{"plumb eth5=v4,v6", "start-dhcp eth5/d temporary answers(RUNNING)"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth5:v4,v6 eth0/d eth0/s eth0/s6 eth1/t eth5/d"},
		{name: "create-addr dhcp on a disabled interface with one", decide: func(c Configs) (Plan, error) {
			return withPersisted(c, Address{Object: "eth2/d", Ifname: "eth2", Type: DHCP}).CreateAddr(NewAddr{Object: "eth2/d2", Type: DHCP})
		}, code: ipc.ErrDisabled},
		{name: "create-addr dhcp beside a persistent one not active", decide: func(c Configs) (Plan, error) {
			return withPersisted(c, Address{Object: "eth3/d", Ifname: "eth3", Type: DHCP}).CreateAddr(NewAddr{Object: "eth3/d2", Type: DHCP})
		}, code: ipc.ErrExists},
		{name: "create-addr a second dhcp", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth0/d2", Type: DHCP})
		}, code: ipc.ErrExists},
		{name: "create-addr bad object", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth0/bad-name", Type: Static, Address: "198.18.9.9/24"})
		}, code: ipc.ErrInvalid},
		{name: "create-addr no prefix length", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth0/x", Type: Static, Address: "198.18.9.9"})
		}, code: ipc.ErrInvalid},
		{name: "create-addr zone", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth0/x", Type: Static, Address: "fe80::1%eth0/64"})
		}, code: ipc.ErrInvalid},
		{name: "create-addr bad type", decide: func(c Configs) (Plan, error) {
			return c.CreateAddr(NewAddr{Object: "eth0/x", Type: "bogus"})
		}, code: ipc.ErrInvalid},

		// delete-addr
		{name: "delete-addr static", decide: func(c Configs) (Plan, error) { return c.DeleteAddr("eth0/s", false) },
			steps:  []string{"save {eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/d eth2/s}", "remove-static eth0/s best"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth0/d eth0/s6 eth1/t", pers: "eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/d eth2/s"},
		{name: "delete-addr -r dhcp", decide: func(c Configs) (Plan, error) { return c.DeleteAddr("eth0/d", true) },
			steps:  []string{"save {eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/s eth2/s}", "drop-dhcp eth0/d best release answers(UNKIF)"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth0/s eth0/s6 eth1/t", pers: "eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/s eth2/s"},
		{name: "delete-addr temporary", decide: func(c Configs) (Plan, error) { return c.DeleteAddr("eth1/t", false) },
			steps: []string{"remove-static eth1/t best"}, active: "eth0:v4,v6 eth1:v4 eth3:v4 eth0/d eth0/s eth0/s6"},
		{name: "delete-addr persistent only", decide: func(c Configs) (Plan, error) { return c.DeleteAddr("eth2/s", false) },
			steps: []string{"save {eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/d eth0/s}"}, pers: "eth0:v4,v6 eth2:v4,v6 eth3:v4 eth0/d eth0/s"},
		{name: "delete-addr unknown", decide: func(c Configs) (Plan, error) { return c.DeleteAddr("eth0/x", false) }, code: ipc.ErrNotFound},
		{name: "delete-addr bad object", decide: func(c Configs) (Plan, error) { return c.DeleteAddr("eth0", false) }, code: ipc.ErrInvalid},

		// refresh-addr
		{name: "refresh-addr dhcp", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("eth0/d", false) },
			steps: []string{"extend-dhcp eth0/d answers()"}},
		{name: "refresh-addr -i static", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("eth0/s", true) },
			steps: []string{"inform-dhcp eth0/s answers()"}},
		{name: "refresh-addr static applies again", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("eth0/s", false) },
			steps: []string{"add-static eth0/s"}},
		{name: "refresh-addr -i dhcp", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("eth0/d", true) }, code: ipc.ErrInvalid},
		{name: "refresh-addr -i IPv6 static", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("eth0/s6", true) }, code: ipc.ErrInvalid},
		{name: "refresh-addr persistent only", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("eth2/s", false) }, code: ipc.ErrNotFound},
		{name: "refresh-addr bad object", decide: func(c Configs) (Plan, error) { return c.RefreshAddr("/x", false) }, code: ipc.ErrInvalid},

		// the agent's own
		{name: "shutdown removes the temporary statics", decide: func(c Configs) (Plan, error) { return c.Shutdown(), nil },
			steps:  []string{"remove-static eth0/s6 best", "remove-static eth1/t best"},
			active: "eth0:v4,v6 eth1:v4 eth3:v4 eth0/d eth0/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fixture()
			p, err := tc.decide(c)
			var ce *Error
			switch {
			case tc.code != "":
				if !errors.As(err, &ce) || ce.Code != tc.code {
					t.Fatalf("error %v, want code %s", err, tc.code)
				}
				return
			case err != nil:
				t.Fatalf("error %v", err)
			}
			if diff := cmp.Diff(tc.steps, showPlan(p)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			for i, s := range p.Steps {
				if s.Answers && i != len(p.Steps)-1 {
					t.Errorf("step %d (%s) answers but is not the last", i, show(s))
				}
			}
			got := after(c, p)
			if tc.active == "" {
				tc.active = active0
			}
			if tc.pers == "" {
				tc.pers = persist0
			}
			if diff := cmp.Diff(tc.active, summary(got.Active)); diff != "" {
				t.Errorf("active after (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.pers, summary(got.Persist)); diff != "" {
				t.Errorf("persistent after (-want +got):\n%s", diff)
			}
			if summary(c.Active) != active0 || summary(c.Persist) != persist0 {
				t.Errorf("the decision changed its input: %s / %s", summary(c.Active), summary(c.Persist))
			}
		})
	}
}

// TestReplay: at start-up every persistent interface comes up with its
// address objects, DHCP ones as the agent's own boot starts.
func TestReplay(t *testing.T) {
	c := fixture()
	c.Active = NewConfig()
	var got []string
	for _, p := range c.Replay() {
		got = append(got, strings.Join(showPlan(p), "; "))
	}
	want := []string{
		"plumb eth0=v4,v6; start-dhcp eth0/d best boot; add-static eth0/s best",
		"plumb eth2=v4,v6; add-static eth2/s best",
		"plumb eth3=v4",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replay (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(persist0, summary(after(c, c.Replay()...).Active)); diff != "" {
		t.Errorf("active after replay (-want +got):\n%s", diff)
	}
}

// TestCommitFailure: a step that failed commits nothing the kernel or the
// store did not get; a removal that failed still removes the object.
func TestCommitFailure(t *testing.T) {
	c := fixture()
	cases := []struct {
		step         Step
		active, pers string
	}{
		{Step{Op: Plumb, If: Interface{Name: "eth5", Families: []string{V4}}}, active0, persist0},
		{Step{Op: AddStatic, Addr: Address{Object: "eth3/s", Ifname: "eth3", Type: Static}}, active0, persist0},
		{Step{Op: StartDHCP, Addr: Address{Object: "eth3/d", Ifname: "eth3", Type: DHCP}}, active0, persist0},
		{Step{Op: Save, Config: NewConfig()}, active0, persist0},
		{Step{Op: RemoveStatic, Addr: c.Active.Addresses["eth1/t"]}, "eth0:v4,v6 eth1:v4 eth3:v4 eth0/d eth0/s eth0/s6", persist0},
		{Step{Op: DropDHCP, Addr: c.Active.Addresses["eth0/d"]}, "eth0:v4,v6 eth1:v4 eth3:v4 eth0/s eth0/s6 eth1/t", persist0},
		{Step{Op: Unplumb, If: Interface{Name: "eth3"}, Drop: []string{V4}}, "eth0:v4,v6 eth1:v4 eth0/d eth0/s eth0/s6 eth1/t", persist0},
		{Step{Op: ExtendDHCP, Addr: c.Active.Addresses["eth0/d"]}, active0, persist0},
	}
	for _, tc := range cases {
		t.Run(show(tc.step), func(t *testing.T) {
			got := c.Commit(tc.step, false)
			if a, p := summary(got.Active), summary(got.Persist); a != tc.active || p != tc.pers {
				t.Errorf("after a failed %s: active %q, persistent %q; want %q, %q", tc.step.Op, a, p, tc.active, tc.pers)
			}
		})
	}
	if summary(c.Active) != active0 || summary(c.Persist) != persist0 {
		t.Errorf("Commit changed its input")
	}
}

func ExampleConfigs_CreateIf() {
	p, _ := NewConfigs().CreateIf("eth0", "v4", false)
	for _, s := range p.Steps {
		fmt.Println(show(s))
	}
	// Output:
	// plumb eth0=v4
	// save {eth0:v4}
}
