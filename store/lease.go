package store

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

const leaseDir = "leases"

// Lease is the record of one interface's lease: the ACK that first
// granted it and the latest one, as received, with the times they count
// from. Times are wall-clock: they must survive a restart.
type Lease struct {
	Ifname string `json:"ifname"`
	// Address is informational, for people reading the file.
	Address string `json:"address"`
	// FirstACK and ACK are the raw packets in hex.
	FirstACK     string    `json:"first_ack"`
	FirstACKTime time.Time `json:"first_ack_time"`
	ACK          string    `json:"ack"`
	ACKTime      time.Time `json:"ack_time"`
	// Began is when the exchange that won the latest ACK started; the
	// lease's times count from it (RFC 2131 §4.4.1).
	Began time.Time `json:"began"`
}

// Packets decodes the record's two ACKs.
func (l *Lease) Packets() (first, latest *dhcpv4.DHCPv4, err error) {
	first, err = decode(l.FirstACK)
	if err != nil {
		return nil, nil, fmt.Errorf("first_ack: %w", err)
	}
	latest, err = decode(l.ACK)
	if err != nil {
		return nil, nil, fmt.Errorf("ack: %w", err)
	}
	return first, latest, nil
}

func decode(s string) (*dhcpv4.DHCPv4, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return dhcpv4.FromBytes(b)
}

// Encode is the hex form of a packet for a record.
func Encode(m *dhcpv4.DHCPv4) string { return hex.EncodeToString(m.ToBytes()) }

func leaseFile(ifname string) string { return filepath.Join(leaseDir, ifname+".json") }

// SaveLease writes the lease record of l.Ifname.
func (s *Store) SaveLease(l *Lease) error {
	if err := validName(l.Ifname); err != nil {
		return err
	}
	defer s.lockFile(leaseFile(l.Ifname))()
	return s.writeJSON(leaseFile(l.Ifname), l)
}

// LoadLease reads the lease record of ifname; nil when there is none or it
// was corrupt (and has been set aside).
func (s *Store) LoadLease(ifname string) (*Lease, error) {
	if err := validName(ifname); err != nil {
		return nil, err
	}
	defer s.lockFile(leaseFile(ifname))()
	var l *Lease
	if !s.readRecord(leaseFile(ifname), maxLease, func(b []byte) (err error) { l, err = decodeLease(ifname, b); return err }) {
		return nil, nil
	}
	return l, nil
}

// decodeLease parses and checks the lease record of ifname: its own, with
// a time to count from and two packets that decode.
func decodeLease(ifname string, b []byte) (*Lease, error) {
	var l Lease
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, err
	}
	if l.Ifname != ifname {
		return nil, fmt.Errorf("record names %q", l.Ifname)
	}
	if l.Began.IsZero() {
		return nil, errors.New("no began time")
	}
	if _, _, err := l.Packets(); err != nil {
		return nil, err
	}
	return &l, nil
}

// DeleteLease forgets the lease of ifname.
func (s *Store) DeleteLease(ifname string) error {
	if err := validName(ifname); err != nil {
		return err
	}
	defer s.lockFile(leaseFile(ifname))()
	return s.remove(leaseFile(ifname))
}
