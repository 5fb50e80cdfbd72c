package lease

import (
	"net"
	"testing"
)

// TestUnmanaged: every (standing x command) cell for an interface that has
// no machine.
func TestUnmanaged(t *testing.T) {
	type cell struct {
		v    Verdict
		code Code
	}
	take, unkif, failedif := cell{Take, CodeOK}, cell{Refuse, CodeUnkIf}, cell{Refuse, CodeFailedIf}
	want := map[Standing]map[Op]cell{
		NotManaged: {OpStart: take, OpInform: take, OpExtend: unkif, OpRelease: unkif, OpDrop: unkif,
			OpPing: unkif, OpStatus: unkif, OpInfo: unkif},
		LinkGone: {OpStart: take, OpInform: take, OpDrop: {EndManagement, CodeOK}, OpExtend: unkif,
			OpRelease: unkif, OpPing: unkif, OpStatus: unkif, OpInfo: unkif},
		FailedActor: {OpStart: take, OpStatus: {ShowFailed, CodeOK}, OpInform: failedif, OpExtend: failedif,
			OpRelease: failedif, OpDrop: failedif, OpPing: failedif, OpInfo: failedif},
	}
	for s, ops := range want {
		for op := OpStart; op <= OpInfo; op++ {
			w, ok := ops[op]
			if !ok {
				t.Fatalf("standing %d: no cell for %s", s, op)
			}
			v, code, reason := Unmanaged(op, s)
			if (cell{v, code}) != w {
				t.Errorf("standing %d, %s: %v %q, want %v", s, op, cell{v, code}, code, w)
			}
			if (v == Refuse) != (reason != "") {
				t.Errorf("standing %d, %s: reason %q for verdict %d", s, op, reason, v)
			}
		}
	}
}

// TestOrphaned: the commands an actor left unhandled when it stopped.
func TestOrphaned(t *testing.T) {
	for _, tc := range []struct {
		s       Standing
		closing bool
		want    Code
	}{
		{NotManaged, false, CodeUnkIf}, {LinkGone, false, CodeUnkIf}, {FailedActor, false, CodeFailedIf},
		{NotManaged, true, CodeShutdown}, {LinkGone, true, CodeShutdown}, {FailedActor, true, CodeShutdown},
	} {
		if got := Orphaned(tc.s, tc.closing); got != tc.want {
			t.Errorf("Orphaned(%d, %v) = %s, want %s", tc.s, tc.closing, got, tc.want)
		}
	}
}

// TestManageable: only a link with an Ethernet (6-byte) address gets a
// machine; any other is INVALID with a reason.
func TestManageable(t *testing.T) {
	for _, tc := range []struct {
		name string
		hw   net.HardwareAddr
		want Code
	}{
		{"ethernet", net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}, CodeOK},
		{"none (loopback, tun)", nil, CodeInvalid},
		{"empty", net.HardwareAddr{}, CodeInvalid},
		{"short", net.HardwareAddr{0x02, 0, 0, 0, 0}, CodeInvalid},
		{"eui-64", net.HardwareAddr{0x02, 0, 0, 0, 0, 0, 0, 0x01}, CodeInvalid},
		{"infiniband", make(net.HardwareAddr, 20), CodeInvalid},
	} {
		code, reason := Manageable(tc.hw)
		if code != tc.want || (code == CodeOK) != (reason == "") {
			t.Errorf("%s: Manageable = %v %q, want %v and a reason only when refused", tc.name, code, reason, tc.want)
		}
	}
}
