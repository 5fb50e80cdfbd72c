//go:build integration

package integration

import (
	"testing"
)

// TestIPAdmRefreshKeepsStatus: refresh-addr of a DHCP object answers as
// extend does, with the renewed lease's status; create-addr -T dhcp on an
// interface already started with `start` (RUNNING, success here) answers
// with the interface's status too, not a bare OK.
func TestIPAdmRefreshKeepsStatus(t *testing.T) {
	eachServer(t, func(t *testing.T, kind ServerKind) {
		lab := newLab(t, LabOptions{Server: kind})
		first := createDHCP(t, lab, dhcpObj)
		r := admin(t, lab, "refresh-addr", dhcpObj)
		var st fullStatus
		if err := jsonUnmarshal(r.Stdout, &st); err != nil || st.State != "BOUND" || st.addr() != first.addr() ||
			st.Expires == nil {
			t.Fatalf("refresh-addr %s: %v; want the status, BOUND on %s with an expiry (%v)", dhcpObj, r, first.Address, err)
		}
		admin(t, lab, "delete-addr", dhcpObj)

		if r := lab.CtlRoot("-o", "json", "start", "-w", "10", ClientIface); r.Code != 0 {
			t.Fatalf("start: %v", r)
		}
		again := createDHCP(t, lab, dhcpObj) // requires the status, BOUND
		if again.addr() != first.addr() {
			t.Errorf("create-addr on a started interface: status of %s, want %s", again.Address, first.Address)
		}
	})
}
