package agent

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"

	"github.com/dhcpagent/dhcpagent/actors"
	"github.com/dhcpagent/dhcpagent/lease"
	"github.com/dhcpagent/dhcpagent/regfile"
	"github.com/dhcpagent/dhcpagent/store"
	"go.uber.org/zap"
)

// hostIdentity returns the host's DUID and an IAID source, both kept in
// the store so client identifiers never change (RFC 4361 §6): the DUID is
// a DUID-UUID from /etc/machine-id (RFC 6355), or from random bytes when
// there is none; an interface's IAID is derived from its MAC until the
// interface is first managed, and kept from then on even if the MAC
// changes.
func hostIdentity(st *store.Store, log *zap.Logger) ([]byte, func(actors.Link) uint32, error) {
	h, err := st.LoadHost()
	if err != nil {
		return nil, nil, err
	}
	duid := h.DUIDBytes()
	if len(duid) == 0 {
		duid = newDUID(machineID, log)
		if err := st.UpdateHost(func(h *store.Host) { h.DUID = hex.EncodeToString(duid) }); err != nil {
			// A read-only or full state dir: the agent runs with the
			// DUID it made (from machine-id, the same at every start;
			// random without one) and records it once it can.
			log.Error("the DUID could not be recorded; running with it unrecorded", zap.Error(err))
		}
	}
	return duid, actors.StoredIAID(st), nil
}

// machineID is the systemd machine id (machine-id(5): 32 hex digits and a
// newline); maxMachineID bounds its read far above that.
const (
	machineID    = "/etc/machine-id"
	maxMachineID = 4096
)

// newDUID makes the DUID from the machine id at path, read only from a
// regular file (regfile.Read: a FIFO or a device there does not block the
// start-up or exhaust memory), else at random.
func newDUID(path string, log *zap.Logger) []byte {
	b, err := regfile.Read(path, maxMachineID)
	if err == nil {
		var duid []byte
		if duid, err = lease.DUIDFromMachineID(string(b)); err == nil {
			return duid
		}
	}
	log.Info("no usable machine id: the DUID is a random DUID-UUID, kept in the store", zap.String("file", path), zap.Error(err))
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return append([]byte{0, 4}, id...)
}

// storeWarn logs what the store finds wrong in the state dir, loudly: the
// agent runs on without what it could not use (status shows it too).
func storeWarn(log *zap.Logger, dir string) func(store.Problem) {
	return func(p store.Problem) {
		fields := []zap.Field{zap.String("reason", p.Reason)}
		if p.Ifname != "" {
			fields = append(fields, zap.String("iface", p.Ifname))
		}
		if p.Aside != "" {
			fields = append(fields, zap.String("file", filepath.Join(dir, p.Aside)),
				zap.String("record", filepath.Join(dir, p.File)))
			log.Warn("corrupt state file set aside", fields...)
			return
		}
		fields = append(fields, zap.String("file", filepath.Join(dir, p.File)))
		log.Warn("state dir problem", fields...)
	}
}
