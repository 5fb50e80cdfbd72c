package lease

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClientID(t *testing.T) {
	hw := net.HardwareAddr{2, 0, 0, 0xaa, 0xbb, 0xcc}
	duid, err := DUIDFromMachineID("0123456789abcdef0123456789abcdef\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spec string
		want []byte
	}{
		{"", nil},
		{"mac", []byte{1, 2, 0, 0, 0xaa, 0xbb, 0xcc}},
		{"duid", append([]byte{255, 0, 0xaa, 0xbb, 0xcc}, duid...)},
		{"0x0102ff", []byte{1, 2, 0xff}},
		{"node7", []byte{0, 'n', 'o', 'd', 'e', '7'}},
	} {
		got, err := ClientID(tc.spec, hw, IAID(hw), duid)
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("ClientID(%q) = %x, %v; want %x", tc.spec, got, err, tc.want)
		}
	}
	for _, bad := range []string{"0xzz", "0x01"} {
		if _, err := ClientID(bad, hw, 0, duid); err == nil {
			t.Errorf("ClientID(%q) accepted", bad)
		}
	}
	if duid[0] != 0 || duid[1] != 4 || len(duid) != 18 {
		t.Errorf("DUID-UUID %x, want type 4 and 16 bytes", duid)
	}
	if _, err := DUIDFromMachineID("short"); err == nil {
		t.Error("bad machine id accepted")
	}
}
