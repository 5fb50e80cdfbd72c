package messages

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/dhcpagent/dhcpagent/ipadm"
)

// TestPlanOf: every administrative command that changes objects is the
// ipadm decision of its arguments, with the command's interface and, for
// create-addr, its wait in milliseconds (-1 forever); the listings and the
// interface commands have none.
func TestPlanOf(t *testing.T) {
	cfg := ipadm.NewConfigs()
	eth0 := ipadm.Interface{Name: "eth0", Families: []string{ipadm.V4, ipadm.V6}}
	static := ipadm.Address{Object: "eth0/s", Ifname: "eth0", Type: ipadm.Static, Addr: netip.MustParsePrefix("198.18.9.9/24")}
	dhcp := ipadm.Address{Object: "eth0/d", Ifname: "eth0", Type: ipadm.DHCP}
	for _, c := range []*ipadm.Config{cfg.Persist, cfg.Active} {
		c.Interfaces["eth0"] = eth0
		c.Addresses[static.Object], c.Addresses[dhcp.Object] = static, dhcp
	}
	cfg.Persist.Interfaces["eth1"] = ipadm.Interface{Name: "eth1", Families: []string{ipadm.V4}}

	newAddr := func(wait int64) ipadm.NewAddr {
		return ipadm.NewAddr{Object: "eth2/d", Type: ipadm.DHCP, Hostname: "node9", Primary: true, Temporary: true, WaitMs: wait}
	}
	createAddr := CreateAddr{Object: "eth2/d", Type: ipadm.DHCP, Hostname: "node9", Primary: true, Temporary: true}
	for _, tc := range []struct {
		name   string
		c      *Command
		direct func(ipadm.Configs) (ipadm.Plan, error)
	}{
		{"create-if", &Command{Ifname: "eth2", Req: CreateIf{Families: "v4", Temporary: true}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateIf("eth2", "v4", true) }},
		{"create-if of an existing one", &Command{Ifname: "eth0", Req: CreateIf{}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateIf("eth0", "", false) }},
		{"delete-if", &Command{Ifname: "eth0", Req: DeleteIf{Families: "v6"}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.DeleteIf("eth0", "v6") }},
		{"enable-if", &Command{Ifname: "eth1", Req: EnableIf{}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.EnableIf("eth1", false) }},
		{"disable-if", &Command{Ifname: "eth0", Req: DisableIf{}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.DisableIf("eth0") }},
		{"create-addr", &Command{Req: createAddr, Wait: 1500 * time.Millisecond},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateAddr(newAddr(1500)) }},
		{"create-addr, no wait", &Command{Req: createAddr},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateAddr(newAddr(0)) }},
		{"create-addr, forever", &Command{Req: createAddr, Wait: Forever},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.CreateAddr(newAddr(-1)) }},
		{"create-addr static", &Command{Req: CreateAddr{Object: "eth0/t", Type: ipadm.Static, Address: "198.18.9.10/24"}},
			func(s ipadm.Configs) (ipadm.Plan, error) {
				return s.CreateAddr(ipadm.NewAddr{Object: "eth0/t", Type: ipadm.Static, Address: "198.18.9.10/24"})
			}},
		{"delete-addr -r", &Command{Req: DeleteAddr{Object: "eth0/d", Release: true}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.DeleteAddr("eth0/d", true) }},
		{"refresh-addr -i", &Command{Req: RefreshAddr{Object: "eth0/s", Inform: true}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.RefreshAddr("eth0/s", true) }},
		{"refresh-addr", &Command{Req: RefreshAddr{Object: "eth0/d"}},
			func(s ipadm.Configs) (ipadm.Plan, error) { return s.RefreshAddr("eth0/d", false) }},
	} {
		decide, ok := PlanOf(tc.c)
		if !ok {
			t.Errorf("%s: no decision", tc.name)
			continue
		}
		got, gotErr := decide(cfg)
		want, wantErr := tc.direct(cfg)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
			t.Errorf("%s: decided %+v, %v; want %+v, %v", tc.name, got, gotErr, want, wantErr)
		}
		if refused := tc.name == "create-if of an existing one"; (wantErr != nil) != refused || len(want.Steps) == 0 && !refused {
			t.Errorf("%s: the case decides %+v, %v: not what it is meant to test", tc.name, want, wantErr)
		}
	}
	for _, r := range []Request{ShowIf{}, ShowAddr{Object: "eth0/"}, Start{}, Status{}, Version{}} {
		if _, ok := PlanOf(&Command{Ifname: "eth0", Req: r}); ok {
			t.Errorf("%T has a decision", r)
		}
	}
}
