package lease

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
)

// ClientID builds option 61 from a CLIENT_ID setting (SPEC §6):
//
//   - ""      no client identifier
//   - "mac"   hardware type 1 and the MAC (RFC 2132 §9.14)
//   - "duid"  type 255, the IAID and the host's DUID (RFC 4361 §6.1)
//   - "0xHEX" the bytes given
//   - other   type 0 and the text
func ClientID(spec string, hw net.HardwareAddr, iaid uint32, duid []byte) ([]byte, error) {
	switch {
	case spec == "":
		return nil, nil
	case spec == "mac":
		return append([]byte{1}, hw...), nil
	case spec == "duid":
		if len(duid) == 0 {
			return nil, errors.New("no DUID")
		}
		b := binary.BigEndian.AppendUint32([]byte{255}, iaid)
		return append(b, duid...), nil
	case strings.HasPrefix(spec, "0x"):
		b, err := hex.DecodeString(spec[2:])
		if err != nil || len(b) < 2 {
			return nil, fmt.Errorf("CLIENT_ID %q: want 0x and at least two bytes of hex", spec)
		}
		return b, nil
	default:
		return append([]byte{0}, spec...), nil
	}
}

// IAID is an interface's identity association id: the last four bytes of
// its hardware address, as dhcpcd derives it, so it stays the same for as
// long as the NIC does.
func IAID(hw net.HardwareAddr) uint32 {
	var b [4]byte
	copy(b[max(0, 4-len(hw)):], hw[max(0, len(hw)-4):])
	return binary.BigEndian.Uint32(b[:])
}

// DUIDFromMachineID builds a DUID-UUID (RFC 6355) from the 32 hex digits
// of /etc/machine-id: one DUID for the whole host that survives reboots
// and reinstalls of the agent.
func DUIDFromMachineID(machineID string) ([]byte, error) {
	id, err := hex.DecodeString(strings.TrimSpace(machineID))
	if err != nil || len(id) != 16 {
		return nil, fmt.Errorf("machine id %q: want 32 hex digits", strings.TrimSpace(machineID))
	}
	return append([]byte{0, 4}, id...), nil
}

// DUIDLL is a DUID-LL (RFC 8415 §11.4) for a hardware address, the
// fallback when the host has no machine id.
func DUIDLL(hw net.HardwareAddr) []byte {
	return append([]byte{0, 3, 0, 1}, hw...)
}
